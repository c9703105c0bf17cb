package dev.zxd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.zxd.proto.v1.InfoTopic;
import dev.zxd.proto.v1.ObjType;
import dev.zxd.proto.v1.ObjectGetInfoRequest;
import dev.zxd.proto.v1.Right;
import dev.zxd.proto.v1.Signal;
import dev.zxd.proto.v1.Status;
import dev.zxd.testing.ZxdExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Two client connections acting as two processes of one system: a parent starts a child with a bootstrap
 * channel, then sends it a channel endpoint and an event. Written once, run over every transport.
 */
abstract class HandleTransferScenario {
  abstract ZxdExtension zxd();

  @Test
  void messageCarriesHandlesWithNewValuesAndTheRightsAskedFor() {
    try (Zxd a = Zxd.connect(zxd().target()); Zxd b = Zxd.connect(zxd().target())) {
      ZxProcess parent = a.createProcess("parent");
      ProcessHandle.Child child = parent.createChild("child");
      ZxProcess kid = b.attach(child.sessionToken());
      Channel.Pair bootstrap = parent.createChannel();
      child.handle().start(bootstrap.end1());

      ZxProcess.StartupInfo startup = kid.startupInfo();
      assertEquals(child.processId(), startup.processId());
      assertEquals("child", startup.name());
      Channel kidEnd = new Channel(kid, startup.arg1().value());

      Channel.Pair pipe = parent.createChannel();
      Event event = parent.createEvent();
      long pipeKoid = pipe.end1().koid();
      long eventKoid = event.koid();
      int parentPipeValue = pipe.end1().value();
      int parentEventValue = event.value();
      int reduced = Right.ZX_RIGHT_WAIT_VALUE | Right.ZX_RIGHT_TRANSFER_VALUE;

      bootstrap.end0().writeEtc(ByteString.copyFromUtf8("hello"),
          Disposition.move(pipe.end1()),
          Disposition.duplicate(event).withRights(reduced).expectingType(ObjType.ZX_OBJ_TYPE_EVENT_VALUE));

      Message m = kidEnd.readEtc();
      assertEquals("hello", m.bytes().toStringUtf8());
      Channel received = m.handle(0, Channel.class);
      Event receivedEvent = m.handle(1, Event.class);
      assertEquals(pipeKoid, received.koid(), "same channel object");
      assertEquals(eventKoid, receivedEvent.koid(), "same event object");
      assertEquals(Right.ZX_DEFAULT_CHANNEL_RIGHTS_VALUE, received.rights());
      assertEquals(reduced, receivedEvent.rights());
      assertNotEquals(parentPipeValue, received.value());
      assertNotEquals(parentEventValue, receivedEvent.value());

      // Values mean nothing outside their own process.
      assertEquals(Status.ZX_ERR_BAD_HANDLE, handleValid(kid, parentEventValue));
      assertEquals(Status.ZX_ERR_BAD_HANDLE, handleValid(parent, receivedEvent.value()));
      assertEquals(Status.ZX_ERR_BAD_HANDLE, handleValid(parent, parentPipeValue), "MOVE took it away");
      assertEquals(Status.ZX_OK, handleValid(parent, event.value()), "DUPLICATE left it");

      // The reduced event can be waited on but not signaled; the parent's signal reaches the child.
      ZxException denied = assertThrows(ZxException.class,
          () -> receivedEvent.signal(0, Signal.ZX_USER_SIGNAL_0_VALUE));
      assertEquals(Status.ZX_ERR_ACCESS_DENIED, denied.status());
      event.signal(0, Signal.ZX_USER_SIGNAL_0_VALUE);
      int observed = receivedEvent.waitOne(Signal.ZX_USER_SIGNAL_0_VALUE, kid.deadlineAfter(Duration.ofSeconds(10)));
      assertTrue((observed & Signal.ZX_USER_SIGNAL_0_VALUE) != 0);

      // And the moved endpoint works from its new owner.
      received.write("back");
      assertEquals("back", pipe.end0().read().bytes().toStringUtf8());

      kid.close();
      parent.close();
    }
  }

  private static Status handleValid(ZxProcess p, int value) {
    return p.stubs().object.getInfo(ObjectGetInfoRequest.newBuilder().setHandle(value)
        .setTopic(InfoTopic.ZX_INFO_HANDLE_VALID_VALUE).build()).getStatus();
  }
}
