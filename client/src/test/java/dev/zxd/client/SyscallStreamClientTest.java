package dev.zxd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.zxd.proto.v1.ChannelCreateRequest;
import dev.zxd.proto.v1.ChannelReadRequest;
import dev.zxd.proto.v1.ChannelWriteRequest;
import dev.zxd.proto.v1.EventCreateRequest;
import dev.zxd.proto.v1.HandleCloseRequest;
import dev.zxd.proto.v1.HandleDuplicateRequest;
import dev.zxd.proto.v1.ObjectSignalRequest;
import dev.zxd.proto.v1.ObjectWaitOneRequest;
import dev.zxd.proto.v1.Status;
import dev.zxd.proto.v1.SyscallReply;
import dev.zxd.testing.ZxdExtension;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Java client's syscall stream: futures, a pipelined batch, and quiet requests. */
class SyscallStreamClientTest {
  @RegisterExtension
  static final ZxdExtension ZXD = ZxdExtension.tcp();

  @Test
  void createWriteAndReadInOneBatch() throws Exception {
    try (Zxd zxd = Zxd.connect(ZXD.target()); ZxProcess p = zxd.createProcess("batcher");
         SyscallStream s = p.stream()) {
      SyscallStream.Batch b = s.batch();
      SyscallStream.Step create = b.add(r -> r.proto().setChannelCreate(ChannelCreateRequest.getDefaultInstance()));
      SyscallStream.Step write = b.add(r -> r.proto().setChannelWrite(ChannelWriteRequest.newBuilder()
          .setHandle(r.ref(create, 0)).setBytes(ByteString.copyFromUtf8("pipelined"))));
      SyscallStream.Step read = b.add(r -> r.proto().setChannelRead(ChannelReadRequest.newBuilder()
          .setHandle(r.ref(create, 1)).setNumBytes(64)));
      List<SyscallReply> replies = b.send().get(10, TimeUnit.SECONDS);
      assertEquals(List.of(create.id(), write.id(), read.id()), replies.stream().map(SyscallReply::getId).toList());
      assertEquals("pipelined", read.reply().get().getChannelRead().getBytes().toStringUtf8());
    }
  }

  @Test
  void futuresCompleteWithTheirOwnReplies() throws Exception {
    try (Zxd zxd = Zxd.connect(ZXD.target()); ZxProcess p = zxd.createProcess("async");
         SyscallStream s = p.stream()) {
      int event = createEvent(s);
      CompletableFuture<SyscallReply> wait = s.call(dev.zxd.proto.v1.SyscallRequest.newBuilder().setObjectWaitOne(
          ObjectWaitOneRequest.newBuilder().setHandle(event).setSignals(1 << 24).setDeadline(Long.MAX_VALUE)));
      assertTrue(!wait.isDone());
      p.handle(event).signal(0, 1 << 24);
      SyscallReply r = wait.get(10, TimeUnit.SECONDS);
      assertEquals(Status.ZX_OK, r.getObjectWaitOne().getStatus());
    }
  }

  @Test
  void quietStepsSettleAsSuccessWhenADependentIsAnswered() throws Exception {
    try (Zxd zxd = Zxd.connect(ZXD.target()); ZxProcess p = zxd.createProcess("quiet");
         SyscallStream s = p.stream()) {
      SyscallStream.Batch b = s.batch();
      SyscallStream.Step create = b.add(r -> r.quiet().proto().setEventCreate(EventCreateRequest.getDefaultInstance()));
      SyscallStream.Step dup = b.add(r -> r.quiet().proto().setHandleDuplicate(HandleDuplicateRequest.newBuilder()
          .setHandle(r.ref(create, 0)).setRights(1 << 31)));
      SyscallStream.Step signal = b.add(r -> r.quiet().after(dup).proto().setObjectSignal(
          ObjectSignalRequest.newBuilder().setHandle(r.ref(create, 0)).setSetMask(1 << 24)));
      SyscallStream.Step close = b.add(r -> r.after(signal).proto().setHandleClose(HandleCloseRequest.newBuilder()
          .setHandle(r.ref(dup, 0))));
      CompletableFuture<Boolean> settledFirst = close.reply().thenApply(r -> create.reply().isDone()
          && dup.reply().isDone() && signal.reply().isDone());
      List<SyscallReply> replies = b.send().get(10, TimeUnit.SECONDS);
      assertTrue(settledFirst.get(), "code run by the answered step's future finds the quiet ones done");
      assertEquals(Status.ZX_OK, close.reply().get().getStatus(), "the daemon answered the last step");
      assertTrue(close.reply().get().hasHandleClose());
      for (SyscallStream.Step quiet : List.of(create, dup, signal)) {
        SyscallReply r = quiet.reply().get();
        assertEquals(quiet.id(), r.getId());
        assertEquals(Status.ZX_OK, r.getStatus());
        assertEquals(SyscallReply.SyscallCase.SYSCALL_NOT_SET, r.getSyscallCase(),
            "settled by the client, not answered by the daemon: " + r);
      }
      assertEquals(4, replies.size());
    }
  }

  @Test
  void aQuietStepThatFailsIsAnsweredWithItsFailure() throws Exception {
    try (Zxd zxd = Zxd.connect(ZXD.target()); ZxProcess p = zxd.createProcess("quiet-failure");
         SyscallStream s = p.stream()) {
      SyscallStream.Batch b = s.batch();
      SyscallStream.Step bad = b.add(r -> r.quiet().proto().setHandleClose(HandleCloseRequest.newBuilder()
          .setHandle(0x7ffffff3)));
      SyscallStream.Step next = b.add(r -> r.after(bad).proto().setEventCreate(EventCreateRequest.getDefaultInstance()));
      b.send().get(10, TimeUnit.SECONDS);
      assertEquals(Status.ZX_ERR_BAD_HANDLE, bad.reply().get().getStatus());
      assertEquals(Status.ZX_OK, next.reply().get().getStatus());
    }
  }

  @Test
  void aDependentRefusedOnArrivalSettlesNothing() throws Exception {
    try (Zxd zxd = Zxd.connect(ZXD.target()); ZxProcess p = zxd.createProcess("quiet-refused");
         SyscallStream s = p.stream()) {
      int event = createEvent(s);
      SyscallStream.Batch b = s.batch();
      SyscallStream.Step wait = b.add(r -> r.quiet().proto().setObjectWaitOne(ObjectWaitOneRequest.newBuilder()
          .setHandle(event).setSignals(1 << 24).setDeadline(Long.MAX_VALUE)));
      SyscallStream.Step refused = b.add(r -> r.after(wait).proto().addAfter(1L << 40)
          .setEventCreate(EventCreateRequest.getDefaultInstance()));
      b.send();
      SyscallReply r = refused.reply().get(10, TimeUnit.SECONDS);
      assertEquals(Status.ZX_ERR_INVALID_ARGS, r.getStatus());
      assertTrue(r.getRefusedOnArrival());
      assertFalse(wait.reply().isDone(), "the wait is still pending in the daemon");

      p.handle(event).signal(0, 1 << 24); // the quiet wait now succeeds, unanswered
      SyscallStream.Batch later = s.batch();
      SyscallStream.Step after = later.add(q -> q.after(wait).proto()
          .setEventCreate(EventCreateRequest.getDefaultInstance()));
      later.send();
      assertEquals(Status.ZX_OK, after.reply().get(10, TimeUnit.SECONDS).getStatus());
      assertEquals(Status.ZX_OK, wait.reply().get().getStatus(), "settled by a dependent that ran");
    }
  }

  @Test
  void aQuietStepNothingDependsOnEndsWithTheStream() throws Exception {
    try (Zxd zxd = Zxd.connect(ZXD.target()); ZxProcess p = zxd.createProcess("quiet-alone")) {
      SyscallStream s = p.stream();
      SyscallStream.Batch b = s.batch();
      SyscallStream.Step lone = b.add(r -> r.quiet().proto().setEventCreate(EventCreateRequest.getDefaultInstance()));
      b.send();
      // A later independent request is answered; the quiet one is still unsettled (nothing depended on it).
      assertEquals(Status.ZX_OK, s.call(dev.zxd.proto.v1.SyscallRequest.newBuilder()
          .setEventCreate(EventCreateRequest.getDefaultInstance())).get(10, TimeUnit.SECONDS).getStatus());
      assertFalse(lone.reply().isDone());
      s.close();
      assertThrows(ExecutionException.class, () -> lone.reply().get(10, TimeUnit.SECONDS));
    }
  }

  private static int createEvent(SyscallStream s) throws Exception {
    return s.call(dev.zxd.proto.v1.SyscallRequest.newBuilder().setEventCreate(EventCreateRequest.getDefaultInstance()))
        .get(10, TimeUnit.SECONDS).getEventCreate().getOut();
  }
}
