package dev.zxd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.zxd.kernel.KernelConfig;
import dev.zxd.kernel.MonotonicClock;
import dev.zxd.proto.v1.ChannelCreateReply;
import dev.zxd.proto.v1.ChannelCreateRequest;
import dev.zxd.proto.v1.ChannelReadReply;
import dev.zxd.proto.v1.ChannelReadRequest;
import dev.zxd.proto.v1.ChannelWriteRequest;
import dev.zxd.proto.v1.EventCreateRequest;
import dev.zxd.proto.v1.HandleCloseRequest;
import dev.zxd.proto.v1.ObjectGrpc;
import dev.zxd.proto.v1.ObjectSignalRequest;
import dev.zxd.proto.v1.ObjectWaitOneReply;
import dev.zxd.proto.v1.ObjectWaitOneRequest;
import dev.zxd.proto.v1.ProcessCreateReply;
import dev.zxd.proto.v1.ProcessCreateRequest;
import dev.zxd.proto.v1.ProcessExitRequest;
import dev.zxd.proto.v1.ProcessGrpc;
import dev.zxd.proto.v1.Status;
import dev.zxd.testing.ZxdExtension;
import io.grpc.ClientInterceptors;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The daemon's own limits through gRPC: each answers with its status in the reply (never a gRPC error), leaves
 * the session and everything queued intact, and lets the same call succeed once room is made. The extension
 * checks after each test that nothing leaked and the memory budget is back at 0.
 */
class LimitsEndToEndTest {
  private static final int BIG = 65_536;
  private static final long BUDGET = 2 * (BIG + 64) + 1000;

  @RegisterExtension
  static final ZxdExtension zxd = ZxdExtension.tcp().withConfig(KernelConfig.DEFAULTS
      .withMaxHandlesPerProcess(4)
      .withMaxChannelMessages(2)
      .withMemoryBudgetBytes(BUDGET)
      .withMaxPendingWaitsPerProcess(2)
      .withMaxProcesses(3));

  private ManagedChannel transport;

  @BeforeEach
  void connect() {
    transport = ManagedChannelBuilder.forTarget(zxd.target()).usePlaintext().build();
  }

  @AfterEach
  void disconnect() throws InterruptedException {
    transport.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private int[] channel(SessionStubs p) {
    ChannelCreateReply r = p.channel.create(ChannelCreateRequest.getDefaultInstance());
    assertEquals(Status.ZX_OK, r.getStatus());
    return new int[] {r.getOut0(), r.getOut1()};
  }

  private static Status write(SessionStubs p, int h, ByteString bytes, int... handles) {
    ChannelWriteRequest.Builder b = ChannelWriteRequest.newBuilder().setHandle(h).setBytes(bytes);
    for (int v : handles) {
      b.addHandles(v);
    }
    return p.channel.write(b.build()).getStatus();
  }

  private static ChannelReadReply read(SessionStubs p, int h) {
    return p.channel.read(ChannelReadRequest.newBuilder().setHandle(h).setNumBytes(BIG).setNumHandles(64).build());
  }

  private static int event(SessionStubs p) {
    var r = p.event.create(EventCreateRequest.getDefaultInstance());
    assertEquals(Status.ZX_OK, r.getStatus());
    return r.getOut();
  }

  private static Status close(SessionStubs p, int h) {
    return p.handle.close(HandleCloseRequest.newBuilder().setHandle(h).build()).getStatus();
  }

  @Test
  void aFullHandleTableRefusesCreatesAndReadsAndTheMessageWaits() {
    SessionStubs p = SessionStubs.create(transport, "full");
    int[] ch = channel(p);
    int ev = event(p);
    assertEquals(Status.ZX_OK, write(p, ch[0], ByteString.copyFromUtf8("gift"), ev));
    int a = event(p);
    int b = event(p);
    assertEquals(Status.ZX_ERR_NO_RESOURCES, p.event.create(EventCreateRequest.getDefaultInstance()).getStatus());
    assertEquals(Status.ZX_ERR_NO_RESOURCES, read(p, ch[1]).getStatus());
    assertEquals(Status.ZX_OK, close(p, a));
    ChannelReadReply r = read(p, ch[1]);
    assertEquals(Status.ZX_OK, r.getStatus());
    assertEquals(ByteString.copyFromUtf8("gift"), r.getBytes());
    assertEquals(1, r.getHandlesCount());
    assertEquals(Status.ZX_OK, close(p, b));
  }

  @Test
  void aFullChannelQueueIsShouldWaitAndTheWritersHandlesAreConsumed() {
    SessionStubs p = SessionStubs.create(transport, "writer");
    int[] ch = channel(p);
    assertEquals(Status.ZX_OK, write(p, ch[0], ByteString.copyFromUtf8("one")));
    assertEquals(Status.ZX_OK, write(p, ch[0], ByteString.copyFromUtf8("two")));
    int ev = event(p);
    assertEquals(Status.ZX_ERR_SHOULD_WAIT, write(p, ch[0], ByteString.copyFromUtf8("three"), ev));
    assertEquals(Status.ZX_ERR_BAD_HANDLE, close(p, ev), "consumed, as by any failed channel_write");
    assertEquals(ByteString.copyFromUtf8("one"), read(p, ch[1]).getBytes());
    assertEquals(Status.ZX_OK, write(p, ch[0], ByteString.copyFromUtf8("three")));
    assertEquals(ByteString.copyFromUtf8("two"), read(p, ch[1]).getBytes());
    assertEquals(ByteString.copyFromUtf8("three"), read(p, ch[1]).getBytes());
  }

  @Test
  void queuedDataBeyondTheMemoryBudgetIsNoMemoryAndTheBudgetComesBack() {
    SessionStubs p = SessionStubs.create(transport, "hoarder");
    int[] ch = channel(p);
    int[] other = channel(p);
    ByteString big = ByteString.copyFrom(new byte[BIG]);
    assertEquals(Status.ZX_OK, write(p, ch[0], big));
    assertEquals(Status.ZX_OK, write(p, other[0], big));
    assertEquals(Status.ZX_ERR_NO_MEMORY, write(p, other[1], big));
    assertEquals(2 * (BIG + 64), zxd.kernel().memory().used());
    assertEquals(big, read(p, ch[1]).getBytes());
    assertEquals(Status.ZX_OK, write(p, other[1], big));
    p.process.exit(ProcessExitRequest.newBuilder().setRetcode(0).build());
    assertEquals(0, zxd.kernel().memory().used(), "everything queued died with the process");
  }

  @Test
  void pendingWaitsAreLimitedPerProcessAndCancelingACallFreesItsSlot() throws Exception {
    SessionStubs p = SessionStubs.create(transport, "waiter");
    ObjectGrpc.ObjectStub async = ObjectGrpc.newStub(ClientInterceptors.intercept(transport,
        MetadataUtils.newAttachHeadersInterceptor(session(p))));
    int ev = event(p);
    ObjectWaitOneRequest forever = ObjectWaitOneRequest.newBuilder().setHandle(ev).setSignals(1 << 24)
        .setDeadline(MonotonicClock.INFINITE).build();
    CompletableFuture<ObjectWaitOneReply> first = new CompletableFuture<>();
    async.waitOne(forever, observer(first));
    Context.CancellableContext cancelable = Context.current().withCancellation();
    CompletableFuture<ObjectWaitOneReply> second = new CompletableFuture<>();
    cancelable.run(() -> async.waitOne(forever, observer(second)));
    dev.zxd.kernel.Process kernelSide = zxd.kernel().processes().get(p.processId);
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> kernelSide.pendingWaits() == 2);

    assertEquals(Status.ZX_ERR_NO_RESOURCES, p.object.waitOne(forever).getStatus());
    cancelable.cancel(null);
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> kernelSide.pendingWaits() == 1);
    assertEquals(Status.ZX_ERR_TIMED_OUT, p.object.waitOne(forever.toBuilder().setDeadline(0).build()).getStatus(),
        "a slot is free again");
    p.object.signal(ObjectSignalRequest.newBuilder().setHandle(ev).setSetMask(1 << 24).build());
    assertEquals(Status.ZX_OK, first.get(5, TimeUnit.SECONDS).getStatus());
    assertEquals(0, kernelSide.pendingWaits());
  }

  @Test
  void theProcessLimitRefusesCreateUntilAProcessExits() {
    ProcessGrpc.ProcessBlockingStub anonymous = ProcessGrpc.newBlockingStub(transport);
    SessionStubs first = SessionStubs.create(transport, "one");
    SessionStubs.create(transport, "two");
    SessionStubs.create(transport, "three");
    ProcessCreateReply refused = anonymous.create(ProcessCreateRequest.newBuilder().setName("four").build());
    assertEquals(Status.ZX_ERR_NO_RESOURCES, refused.getStatus());
    assertEquals("", refused.getSessionToken());
    first.process.exit(ProcessExitRequest.newBuilder().setRetcode(0).build());
    assertEquals(Status.ZX_OK, anonymous.create(ProcessCreateRequest.newBuilder().setName("four").build())
        .getStatus());
  }

  @Test
  void aRequestLargerThanTheFrameLimitIsResourceExhaustedAndTheSessionGoesOn() throws Exception {
    try (ZxdServer small = ZxdServer.builder().listen(new ListenAddress.Tcp("127.0.0.1", 0))
        .maxFrameBytes(1 << 17).start()) {
      ManagedChannel toSmall = ManagedChannelBuilder.forTarget(small.addresses().get(0).toString())
          .usePlaintext().build();
      try {
        SessionStubs p = SessionStubs.create(toSmall, "framed");
        int[] ch = channel(p);
        ChannelWriteRequest huge = ChannelWriteRequest.newBuilder().setHandle(ch[0])
            .setBytes(ByteString.copyFrom(new byte[(1 << 17) + 1])).build();
        io.grpc.StatusRuntimeException e = assertThrows(io.grpc.StatusRuntimeException.class,
            () -> p.channel.write(huge));
        assertEquals(io.grpc.Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        assertEquals(0, small.kernel().memory().used(), "nothing of the refused request reached the kernel");
        assertEquals(Status.ZX_ERR_SHOULD_WAIT, read(p, ch[1]).getStatus());
        assertEquals(Status.ZX_OK, write(p, ch[0], ByteString.copyFrom(new byte[BIG])), "the session goes on");
        assertEquals(BIG, read(p, ch[1]).getBytes().size());
        assertTrue(small.kernel().processes().get(p.processId).isAlive());
      } finally {
        toSmall.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static Metadata session(SessionStubs p) {
    Metadata md = new Metadata();
    md.put(SessionStubs.SESSION, p.token);
    return md;
  }

  private static <T> StreamObserver<T> observer(CompletableFuture<T> result) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        result.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    };
  }
}
