package dev.zxd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.zxd.kernel.KernelObject;
import dev.zxd.proto.v1.ChannelCreateRequest;
import dev.zxd.proto.v1.ChannelReadRequest;
import dev.zxd.proto.v1.ChannelWriteRequest;
import dev.zxd.proto.v1.EventCreateRequest;
import dev.zxd.proto.v1.KernelGrpc;
import dev.zxd.proto.v1.ObjectSignalRequest;
import dev.zxd.proto.v1.ObjectWaitOneRequest;
import dev.zxd.proto.v1.Status;
import dev.zxd.proto.v1.SyscallReply;
import dev.zxd.proto.v1.SyscallRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Kernel/Invoke: every syscall on one stream, in order, with pipelined handle references. */
class SyscallStreamTest extends StreamTestServer {
  private final class Stream extends Recorded<SyscallRequest, SyscallReply> {
    final List<SyscallReply> replies = received;

    Stream(String token) {
      super(KernelGrpc.newStub(session(token))::invoke);
    }

    void await(int n) {
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> replies.size() >= n || ended.isDone());
    }
  }

  @Test
  void createWriteAndReadInOneBatchWithoutARoundTrip() {
    SessionStubs p = SessionStubs.create(channel, "pipeliner");
    try (Stream s = new Stream(p.token)) {
      s.requests.onNext(SyscallRequest.newBuilder().setId(1)
          .setChannelCreate(ChannelCreateRequest.getDefaultInstance()).build());
      s.requests.onNext(SyscallRequest.newBuilder().setId(2).addRefs(out(1, 0))
          .setChannelWrite(ChannelWriteRequest.newBuilder().setHandle(ref(0)).setBytes(ByteString.copyFromUtf8("hi")))
          .build());
      s.requests.onNext(SyscallRequest.newBuilder().setId(3).addRefs(out(1, 1))
          .setChannelRead(ChannelReadRequest.newBuilder().setHandle(ref(0)).setNumBytes(16)).build());
      s.await(3);
      assertEquals(List.of(1L, 2L, 3L), s.replies.stream().map(SyscallReply::getId).toList(), "in order");
      assertEquals(Status.ZX_OK, s.replies.get(1).getChannelWrite().getStatus());
      assertEquals("hi", s.replies.get(2).getChannelRead().getBytes().toStringUtf8());
    }
  }

  @Test
  void aRequestCanWaitInTheDaemonForAnEarlierPendingOne() {
    SessionStubs p = SessionStubs.create(channel, "chainer");
    try (Stream s = new Stream(p.token)) {
      s.requests.onNext(SyscallRequest.newBuilder().setId(1)
          .setChannelCreate(ChannelCreateRequest.getDefaultInstance()).build());
      // 2: wait for READABLE on end 1; 3: read end 1 once 2 has completed (not before: it would SHOULD_WAIT).
      s.requests.onNext(SyscallRequest.newBuilder().setId(2).addRefs(out(1, 1)).setObjectWaitOne(
          ObjectWaitOneRequest.newBuilder().setHandle(ref(0)).setSignals(1).setDeadline(Long.MAX_VALUE)).build());
      s.requests.onNext(SyscallRequest.newBuilder().setId(3).addAfter(2).addRefs(out(1, 1))
          .setChannelRead(ChannelReadRequest.newBuilder().setHandle(ref(0)).setNumBytes(16)).build());
      // 4 does not depend on 2 or 3, so it runs at once, and its write sets off 2, then 3.
      s.requests.onNext(SyscallRequest.newBuilder().setId(4).addRefs(out(1, 0))
          .setChannelWrite(ChannelWriteRequest.newBuilder().setHandle(ref(0)).setBytes(ByteString.copyFromUtf8("x")))
          .build());
      s.await(4);
      assertEquals(List.of(1L, 2L, 3L, 4L).size(), s.replies.size());
      SyscallReply read = s.replies.stream().filter(r -> r.getId() == 3).findFirst().orElseThrow();
      assertEquals(Status.ZX_OK, read.getChannelRead().getStatus(), read.toString());
      assertEquals("x", read.getChannelRead().getBytes().toStringUtf8());
      List<Long> order = s.replies.stream().map(SyscallReply::getId).toList();
      assertTrue(order.indexOf(2L) < order.indexOf(3L), "the read ran after the wait: " + order);
      assertTrue(order.indexOf(1L) < order.indexOf(4L), order.toString());
    }
  }

  @Test
  void afterNamingAnUnknownRequestIsInvalidArgs() {
    SessionStubs p = SessionStubs.create(channel, "confused");
    try (Stream s = new Stream(p.token)) {
      s.requests.onNext(SyscallRequest.newBuilder().setId(5).addAfter(404)
          .setEventCreate(EventCreateRequest.getDefaultInstance()).build());
      s.await(1);
      assertEquals(Status.ZX_ERR_INVALID_ARGS, s.replies.get(0).getStatus());
      assertTrue(s.replies.get(0).getError().contains("404"), s.replies.get(0).getError());
      assertTrue(s.replies.get(0).getRefusedOnArrival(), "refused without waiting for what it names");
    }
  }

  @Test
  void aFailedReferenceFailsItsDependentsWithBadHandleAndSaysWhy() {
    SessionStubs p = SessionStubs.create(channel, "pipeliner");
    try (Stream s = new Stream(p.token)) {
      s.requests.onNext(SyscallRequest.newBuilder().setId(7)
          .setChannelCreate(ChannelCreateRequest.newBuilder().setOptions(1)).build());
      s.requests.onNext(SyscallRequest.newBuilder().setId(8).addRefs(out(7, 0))
          .setChannelWrite(ChannelWriteRequest.newBuilder().setHandle(ref(0))).build());
      s.requests.onNext(SyscallRequest.newBuilder().setId(9).addRefs(out(99, 0))
          .setChannelWrite(ChannelWriteRequest.newBuilder().setHandle(ref(0))).build());
      s.await(3);
      assertEquals(Status.ZX_ERR_INVALID_ARGS, s.replies.get(0).getStatus());
      SyscallReply dependent = s.replies.get(1);
      assertEquals(8, dependent.getId());
      assertEquals(Status.ZX_ERR_BAD_HANDLE, dependent.getStatus());
      assertFalse(dependent.getRefusedOnArrival(), "failed once request 7 had completed");
      assertTrue(dependent.getError().contains("request 7") && dependent.getError().contains("INVALID_ARGS"),
          dependent.getError());
      assertTrue(s.replies.get(2).getError().contains("unknown"), s.replies.get(2).getError());
    }
  }

  @Test
  void waitsCompleteWhenSatisfiedAndRepliesKeepTheirIds() {
    SessionStubs p = SessionStubs.create(channel, "waiter");
    try (Stream s = new Stream(p.token)) {
      s.requests.onNext(SyscallRequest.newBuilder().setId(1)
          .setEventCreate(EventCreateRequest.getDefaultInstance()).build());
      s.requests.onNext(SyscallRequest.newBuilder().setId(2).addRefs(out(1, 0)).setObjectWaitOne(
          ObjectWaitOneRequest.newBuilder().setHandle(ref(0)).setSignals(1 << 24).setDeadline(Long.MAX_VALUE))
          .build());
      s.requests.onNext(SyscallRequest.newBuilder().setId(3).addRefs(out(1, 0)).setObjectSignal(
          ObjectSignalRequest.newBuilder().setHandle(ref(0)).setSetMask(1 << 24)).build());
      s.await(3);
      SyscallReply waited = s.replies.stream().filter(r -> r.getId() == 2).findFirst().orElseThrow();
      assertEquals(Status.ZX_OK, waited.getObjectWaitOne().getStatus());
      assertTrue((waited.getObjectWaitOne().getObserved() & (1 << 24)) != 0);
    }
  }

  @Test
  void endingTheStreamAbandonsItsPendingWaits() {
    SessionStubs p = SessionStubs.create(channel, "quitter");
    int event = p.event.create(EventCreateRequest.getDefaultInstance()).getOut();
    KernelObject object = server.kernel().objects().all().stream()
        .filter(o -> o.type() == dev.zxd.kernel.ObjectType.EVENT).findFirst().orElseThrow();
    Stream s = new Stream(p.token);
    s.requests.onNext(SyscallRequest.newBuilder().setId(1).setObjectWaitOne(ObjectWaitOneRequest.newBuilder()
        .setHandle(event).setSignals(1 << 24).setDeadline(Long.MAX_VALUE)).build());
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> object.observerCount() == 1);
    s.close();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> object.observerCount() == 0);
  }

  @Test
  void aStreamWithoutASessionIsRefused() throws Exception {
    try (Stream s = new Stream(null)) {
      s.requests.onNext(SyscallRequest.newBuilder().setId(1)
          .setEventCreate(EventCreateRequest.getDefaultInstance()).build());
      Throwable t = s.ended.get(10, TimeUnit.SECONDS);
      assertEquals(io.grpc.Status.Code.UNAUTHENTICATED, io.grpc.Status.fromThrowable(t).getCode());
    }
  }
}
