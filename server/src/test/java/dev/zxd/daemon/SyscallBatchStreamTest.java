package dev.zxd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.zxd.proto.v1.ChannelCreateRequest;
import dev.zxd.proto.v1.ChannelReadRequest;
import dev.zxd.proto.v1.ChannelWriteRequest;
import dev.zxd.proto.v1.EventCreateRequest;
import dev.zxd.proto.v1.HandleCloseRequest;
import dev.zxd.proto.v1.KernelGrpc;
import dev.zxd.proto.v1.ObjectSignalRequest;
import dev.zxd.proto.v1.ObjectWaitOneRequest;
import dev.zxd.proto.v1.ProcessExitRequest;
import dev.zxd.proto.v1.Status;
import dev.zxd.proto.v1.SyscallBatch;
import dev.zxd.proto.v1.SyscallReply;
import dev.zxd.proto.v1.SyscallReplyBatch;
import dev.zxd.proto.v1.SyscallRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Kernel/InvokeBatch: the syscall stream with many requests per transport message. */
class SyscallBatchStreamTest extends StreamTestServer {
  private static final int SIGNAL_0 = 1 << 24;

  private final class BatchStream extends Recorded<SyscallBatch, SyscallReplyBatch> {
    final List<SyscallReplyBatch> batches = received;

    BatchStream(String token) {
      super(KernelGrpc.newStub(session(token))::invokeBatch);
    }

    List<SyscallReply> replies() {
      return batches.stream().flatMap(b -> b.getRepliesList().stream()).toList();
    }

    void awaitReplies(int n) {
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> replies().size() >= n || ended.isDone());
    }
  }

  /** One batch: request {@code id} raises SIGNAL_0 on {@code event}, request id + 1 closes {@code handle}. */
  private static void signalThenClose(BatchStream s, long id, int event, int handle) {
    s.requests.onNext(batch(
        SyscallRequest.newBuilder().setId(id).setObjectSignal(
            ObjectSignalRequest.newBuilder().setHandle(event).setSetMask(SIGNAL_0)),
        SyscallRequest.newBuilder().setId(id + 1).setHandleClose(HandleCloseRequest.newBuilder().setHandle(handle))));
  }

  private static SyscallBatch batch(SyscallRequest.Builder... requests) {
    SyscallBatch.Builder b = SyscallBatch.newBuilder();
    for (SyscallRequest.Builder r : requests) {
      b.addRequests(r);
    }
    return b.build();
  }

  @Test
  void aPipelinedBatchTravelsAsOneMessageAndItsRepliesComeBackAsOne() {
    SessionStubs p = SessionStubs.create(channel, "batcher");
    try (BatchStream s = new BatchStream(p.token)) {
      s.requests.onNext(batch(
          SyscallRequest.newBuilder().setId(10).setChannelCreate(ChannelCreateRequest.getDefaultInstance()),
          SyscallRequest.newBuilder().setId(11).addRefs(out(10, 0)).setChannelWrite(
              ChannelWriteRequest.newBuilder().setHandle(ref(0)).setBytes(ByteString.copyFromUtf8("hi"))),
          SyscallRequest.newBuilder().setId(12).addRefs(out(10, 1)).setChannelRead(
              ChannelReadRequest.newBuilder().setHandle(ref(0)).setNumBytes(16)),
          SyscallRequest.newBuilder().setId(13).addRefs(out(10, 0))
              .setHandleClose(HandleCloseRequest.newBuilder().setHandle(ref(0))),
          SyscallRequest.newBuilder().setId(14).addRefs(out(10, 1))
              .setHandleClose(HandleCloseRequest.newBuilder().setHandle(ref(0)))));
      s.awaitReplies(5);
      assertEquals(1, s.batches.size(), "one reply message for the batch");
      List<SyscallReply> r = s.replies();
      assertEquals(List.of(10L, 11L, 12L, 13L, 14L), r.stream().map(SyscallReply::getId).toList());
      assertEquals("hi", r.get(2).getChannelRead().getBytes().toStringUtf8());
      assertTrue(r.stream().allMatch(x -> x.getStatus() == Status.ZX_OK), r.toString());
    }
  }

  @Test
  void aFailedReferenceFailsItsDependentsInsideTheBatch() {
    SessionStubs p = SessionStubs.create(channel, "failer");
    try (BatchStream s = new BatchStream(p.token)) {
      s.requests.onNext(batch(
          SyscallRequest.newBuilder().setId(1).setHandleClose(HandleCloseRequest.newBuilder().setHandle(0x7)),
          SyscallRequest.newBuilder().setId(2).addRefs(out(1, 0))
              .setHandleClose(HandleCloseRequest.newBuilder().setHandle(ref(0)))));
      s.awaitReplies(2);
      List<SyscallReply> r = s.replies();
      assertEquals(Status.ZX_ERR_BAD_HANDLE, r.get(0).getStatus());
      assertEquals(2L, r.get(1).getId());
      assertEquals(Status.ZX_ERR_BAD_HANDLE, r.get(1).getStatus());
      assertTrue(r.get(1).getError().contains("request 1"), r.get(1).getError());
    }
  }

  @Test
  void aWaitInABatchRepliesLaterInItsOwnMessage() {
    SessionStubs p = SessionStubs.create(channel, "waiter");
    int event = p.event.create(EventCreateRequest.getDefaultInstance()).getOut();
    try (BatchStream s = new BatchStream(p.token)) {
      s.requests.onNext(batch(
          SyscallRequest.newBuilder().setId(1).setObjectWaitOne(ObjectWaitOneRequest.newBuilder()
              .setHandle(event).setSignals(SIGNAL_0).setDeadline(Long.MAX_VALUE)),
          SyscallRequest.newBuilder().setId(2).setEventCreate(EventCreateRequest.getDefaultInstance())));
      s.awaitReplies(1);
      assertEquals(List.of(2L), s.replies().stream().map(SyscallReply::getId).toList(), "the wait is pending");
      int second = s.replies().get(0).getEventCreate().getOut();
      signalThenClose(s, 3, event, second);
      s.awaitReplies(4);
      List<SyscallReply> r = s.replies();
      assertEquals(Status.ZX_OK, r.stream().filter(x -> x.getId() == 1).findFirst().orElseThrow().getStatus());
      assertEquals(4, r.size());
    }
  }

  @Test
  void quietRequestsAreAnsweredOnlyWhenTheyFail() {
    SessionStubs p = SessionStubs.create(channel, "quiet");
    try (BatchStream s = new BatchStream(p.token)) {
      s.requests.onNext(batch(
          SyscallRequest.newBuilder().setId(1).setQuiet(true).setChannelCreate(ChannelCreateRequest.getDefaultInstance()),
          SyscallRequest.newBuilder().setId(2).setQuiet(true).addRefs(out(1, 0)).setChannelWrite(
              ChannelWriteRequest.newBuilder().setHandle(ref(0)).setBytes(ByteString.copyFromUtf8("quiet"))),
          SyscallRequest.newBuilder().setId(3).setQuiet(true)
              .setHandleClose(HandleCloseRequest.newBuilder().setHandle(0x7)), // fails: answered
          SyscallRequest.newBuilder().setId(4).setQuiet(true).addRefs(out(3, 0)) // bad reference: answered
              .setHandleClose(HandleCloseRequest.newBuilder().setHandle(ref(0))),
          SyscallRequest.newBuilder().setId(5).addRefs(out(1, 1)).setChannelRead(
              ChannelReadRequest.newBuilder().setHandle(ref(0)).setNumBytes(16)),
          SyscallRequest.newBuilder().setId(6).setQuiet(true).addRefs(out(1, 0))
              .setHandleClose(HandleCloseRequest.newBuilder().setHandle(ref(0))),
          SyscallRequest.newBuilder().setId(7).addRefs(out(1, 1))
              .setHandleClose(HandleCloseRequest.newBuilder().setHandle(ref(0)))));
      s.awaitReplies(4);
      List<SyscallReply> r = s.replies();
      assertEquals(List.of(3L, 4L, 5L, 7L), r.stream().map(SyscallReply::getId).toList(),
          "only the failures and the unquiet requests reply");
      assertEquals(Status.ZX_ERR_BAD_HANDLE, r.get(0).getStatus());
      assertEquals(Status.ZX_ERR_BAD_HANDLE, r.get(1).getStatus());
      assertEquals("quiet", r.get(2).getChannelRead().getBytes().toStringUtf8(), "the quiet write happened");
      assertEquals(Status.ZX_OK, r.get(3).getStatus(), "the quiet close of the other end happened first");
      assertEquals(0, server.kernel().objects().count(dev.zxd.kernel.ObjectType.CHANNEL),
          "both ends are closed: the quiet close ran too");
    }
  }

  @Test
  void aRequestNamingTheSamePendingRequestManyTimesRunsOnceItCompletes() {
    SessionStubs p = SessionStubs.create(channel, "repeater");
    int event = p.event.create(EventCreateRequest.getDefaultInstance()).getOut();
    try (BatchStream s = new BatchStream(p.token)) {
      SyscallRequest.Builder dependent = SyscallRequest.newBuilder().setId(3)
          .setObjectSignal(ObjectSignalRequest.newBuilder().setHandle(event).setClearMask(SIGNAL_0));
      for (int i = 0; i < 40; i++) {
        dependent.addAfter(i % 2 == 0 ? 1 : 2); // the pending wait, and a request already done, many times over
      }
      s.requests.onNext(batch(
          SyscallRequest.newBuilder().setId(1).setObjectWaitOne(ObjectWaitOneRequest.newBuilder()
              .setHandle(event).setSignals(SIGNAL_0).setDeadline(Long.MAX_VALUE)),
          SyscallRequest.newBuilder().setId(2).setEventCreate(EventCreateRequest.getDefaultInstance()),
          dependent));
      s.awaitReplies(1);
      assertEquals(List.of(2L), s.replies().stream().map(SyscallReply::getId).toList(), "3 waits for 1");
      int second = s.replies().get(0).getEventCreate().getOut();
      signalThenClose(s, 4, event, second);
      s.awaitReplies(5);
      List<Long> order = s.replies().stream().map(SyscallReply::getId).toList();
      assertTrue(order.indexOf(1L) < order.indexOf(3L), "3 ran once 1 completed: " + order);
      assertTrue(s.replies().stream().allMatch(x -> x.getStatus() == Status.ZX_OK), s.replies().toString());
    }
  }

  @Test
  void afterTheProcessExitsTheStreamEndsUnauthenticated() throws Exception {
    SessionStubs p = SessionStubs.create(channel, "leaver");
    try (BatchStream s = new BatchStream(p.token)) {
      s.requests.onNext(batch(
          SyscallRequest.newBuilder().setId(1).setProcessExit(ProcessExitRequest.newBuilder().setRetcode(0)),
          SyscallRequest.newBuilder().setId(2).setEventCreate(EventCreateRequest.getDefaultInstance())));
      Throwable t = s.ended.get(10, TimeUnit.SECONDS);
      assertEquals(io.grpc.Status.Code.UNAUTHENTICATED, io.grpc.Status.fromThrowable(t).getCode());
      assertEquals(List.of(1L), s.replies().stream().map(SyscallReply::getId).toList(),
          "the exit replied; nothing ran after it");
    }
  }
}
