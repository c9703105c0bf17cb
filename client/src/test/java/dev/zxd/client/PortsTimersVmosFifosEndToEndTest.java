package dev.zxd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.zxd.kernel.Port;
import dev.zxd.proto.v1.PacketType;
import dev.zxd.proto.v1.PortPacket;
import dev.zxd.proto.v1.Right;
import dev.zxd.proto.v1.Signal;
import dev.zxd.proto.v1.Status;
import dev.zxd.proto.v1.TimerOption;
import dev.zxd.proto.v1.VmoOption;
import dev.zxd.proto.v1.WaitAsyncOption;
import dev.zxd.testing.ZxdExtension;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Ports with async waits and the streaming wait, timers, VMOs and FIFOs, end to end over loopback TCP. */
class PortsTimersVmosFifosEndToEndTest {
  @RegisterExtension
  static final ZxdExtension ZXD = ZxdExtension.tcp();

  private record Two(ZxProcess a, ZxProcess b, Channel aEnd, Channel bEnd) {}

  private static Two twoProcesses(Zxd ca, Zxd cb) {
    ZxProcess a = ca.createProcess("a");
    ProcessHandle.Child child = a.createChild("b");
    ZxProcess b = cb.attach(child.sessionToken());
    Channel.Pair bootstrap = a.createChannel();
    child.handle().start(bootstrap.end1());
    return new Two(a, b, bootstrap.end0(), b.startupInfo().arg1().as(Channel.class));
  }

  @Test
  void streamingPortWaitDeliversPacketsFromTwoProcessesAndStopsWhenCanceled() {
    try (Zxd ca = Zxd.connect(ZXD.target()); Zxd cb = Zxd.connect(ZXD.target())) {
      Two t = twoProcesses(ca, cb);
      dev.zxd.client.Port port = t.a().createPort();
      Port kernelPort = (Port) ZXD.kernel().objects().get(port.koid());
      t.aEnd().write("your port", port.duplicate(Right.ZX_RIGHT_SAME_RIGHTS_VALUE));
      t.bEnd().waitOne(Signal.ZX_CHANNEL_READABLE_VALUE, t.b().deadlineAfter(Duration.ofSeconds(10)));
      dev.zxd.client.Port portInB = t.bEnd().readEtc().handle(0, dev.zxd.client.Port.class);

      Event ea = t.a().createEvent();
      Event eb = t.b().createEvent();
      ea.waitAsync(port, 1, Signal.ZX_USER_SIGNAL_0_VALUE, WaitAsyncOption.ZX_WAIT_ASYNC_ONCE_VALUE);
      eb.waitAsync(portInB, 2, Signal.ZX_USER_SIGNAL_1_VALUE, WaitAsyncOption.ZX_WAIT_ASYNC_TIMESTAMP_VALUE);

      try (dev.zxd.client.Port.Packets packets = port.packets()) {
        ea.signal(0, Signal.ZX_USER_SIGNAL_0_VALUE);
        PortPacket first = packets.next();
        assertEquals(1, first.getKey());
        assertEquals(PacketType.ZX_PKT_TYPE_SIGNAL_ONE_VALUE, first.getType());
        assertEquals(Signal.ZX_USER_SIGNAL_0_VALUE, first.getSignal().getTrigger());
        assertEquals(0, first.getSignal().getTimestamp());

        eb.signal(0, Signal.ZX_USER_SIGNAL_1_VALUE);
        PortPacket second = packets.next();
        assertEquals(2, second.getKey());
        assertTrue(second.getSignal().getTimestamp() > 0, "TIMESTAMP fills the time");
        assertTrue((second.getSignal().getObserved() & Signal.ZX_USER_SIGNAL_1_VALUE) != 0);

        portInB.queue(3, 7, 8, 9, 10);
        PortPacket user = packets.next();
        assertEquals(3, user.getKey());
        assertEquals(PacketType.ZX_PKT_TYPE_USER_VALUE, user.getType());
        assertEquals(java.util.List.of(7L, 8L, 9L, 10L), user.getUser().getU64List());

        ea.signal(Signal.ZX_USER_SIGNAL_0_VALUE, 0);
        ea.signal(0, Signal.ZX_USER_SIGNAL_0_VALUE);
        // The stream parks one wait while the port is empty.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> kernelPort.pendingWaiters() == 1);
      }
      // Canceling the stream removes its parked wait; the port is left as it was (nothing lost: the ONCE
      // wait already fired, so a second signal made no packet).
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> kernelPort.pendingWaiters() == 0);
      assertEquals(0, kernelPort.queuedPackets());
      portInB.queue(4);
      assertEquals(4, port.waitPacket(t.a().deadlineAfter(Duration.ofSeconds(10))).getKey());
      t.b().close();
      t.a().close();
    }
  }

  @Test
  void timerFiresAtItsDeadlineOnTheDaemonClockAndCanBeResetAndCanceled() {
    try (Zxd c = Zxd.connect(ZXD.target()); ZxProcess p = c.createProcess("p")) {
      Timer timer = p.createTimer(TimerOption.ZX_TIMER_SLACK_CENTER_VALUE);
      long deadline = c.monotonicNow() + Duration.ofMillis(30).toNanos();
      timer.set(deadline, 0);
      timer.waitOne(Signal.ZX_TIMER_SIGNALED_VALUE, Handle.INFINITE);
      assertTrue(c.monotonicNow() >= deadline, "fired no earlier than its deadline");

      // Reset: a new deadline clears the signal until it passes.
      long later = c.monotonicNow() + Duration.ofSeconds(60).toNanos();
      timer.set(later, 0);
      assertEquals(0, timer.signals() & Signal.ZX_TIMER_SIGNALED_VALUE);
      // Cancel: cleared and never fires; waiting until a little after a would-be deadline times out.
      long soon = c.monotonicNow() + Duration.ofMillis(20).toNanos();
      timer.set(soon, 0);
      timer.cancel();
      ZxException e = assertThrows(ZxException.class,
          () -> timer.waitOne(Signal.ZX_TIMER_SIGNALED_VALUE, soon + Duration.ofMillis(50).toNanos()));
      assertEquals(Status.ZX_ERR_TIMED_OUT, e.status());
    }
  }

  @Test
  void vmoBytesAreSharedBetweenTwoProcesses() {
    try (Zxd ca = Zxd.connect(ZXD.target()); Zxd cb = Zxd.connect(ZXD.target())) {
      Two t = twoProcesses(ca, cb);
      Vmo vmo = t.a().createVmo(10_000, VmoOption.ZX_VMO_RESIZABLE_VALUE);
      assertEquals(12_288, vmo.size(), "rounded up to pages");
      vmo.write(4090, ByteString.copyFromUtf8("across a page"));
      t.aEnd().write("vmo", vmo.duplicate(Right.ZX_RIGHT_SAME_RIGHTS_VALUE));
      t.bEnd().waitOne(Signal.ZX_CHANNEL_READABLE_VALUE, t.b().deadlineAfter(Duration.ofSeconds(10)));
      Vmo theirs = t.bEnd().readEtc().handle(0, Vmo.class);
      assertEquals("across a page", theirs.read(4090, 13).toStringUtf8());
      theirs.write(0, ByteString.copyFromUtf8("from b"));
      assertEquals("from b", vmo.read(0, 6).toStringUtf8());
      assertEquals(vmo.koid(), theirs.koid());
      assertEquals(2, vmo.info().getShareCount());
      assertEquals(8192, vmo.info().getCommittedBytes(), "two pages written");
      t.b().close();
      t.a().close();
    }
  }

  @Test
  void fifoWritesArePartialAndOrdered() {
    try (Zxd c = Zxd.connect(ZXD.target()); ZxProcess p = c.createProcess("p")) {
      Fifo.Pair fifo = p.createFifo(8, 4);
      ByteString five = ByteString.copyFromUtf8("aaaabbbbccccddddeeee");
      ByteString next = ByteString.copyFromUtf8("ffffgggghhhhiiiijjjj");
      assertEquals(5, fifo.end0().write(five));
      assertEquals(3, fifo.end0().write(next), "only 3 of 5 fit");
      assertEquals(Status.ZX_ERR_SHOULD_WAIT, assertThrows(ZxException.class, () -> fifo.end0().write(next))
          .status());
      assertFalse((fifo.end0().signals() & Signal.ZX_FIFO_WRITABLE_VALUE) != 0);
      assertEquals("aaaabbbbcccc", fifo.end1().read(3).toStringUtf8());
      assertTrue((fifo.end0().signals() & Signal.ZX_FIFO_WRITABLE_VALUE) != 0);
      assertEquals("ddddeeeeffffgggghhhh", fifo.end1().read(8).toStringUtf8());
    }
  }
}
