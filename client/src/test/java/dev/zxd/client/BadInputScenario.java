package dev.zxd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.zxd.kernel.KernelObject;
import dev.zxd.proto.v1.ChannelCallArgs;
import dev.zxd.proto.v1.ChannelCallRequest;
import dev.zxd.proto.v1.ChannelCreateRequest;
import dev.zxd.proto.v1.ChannelReadRequest;
import dev.zxd.proto.v1.ChannelWriteEtcRequest;
import dev.zxd.proto.v1.ChannelWriteRequest;
import dev.zxd.proto.v1.EventCreateRequest;
import dev.zxd.proto.v1.FifoReadRequest;
import dev.zxd.proto.v1.HandleCloseManyRequest;
import dev.zxd.proto.v1.HandleCloseRequest;
import dev.zxd.proto.v1.HandleDisposition;
import dev.zxd.proto.v1.KernelGrpc;
import dev.zxd.proto.v1.ObjectGetInfoRequest;
import dev.zxd.proto.v1.ObjectGetPropertyRequest;
import dev.zxd.proto.v1.ObjectWaitAsyncRequest;
import dev.zxd.proto.v1.ObjectWaitManyRequest;
import dev.zxd.proto.v1.ObjectWaitOneReply;
import dev.zxd.proto.v1.ObjectWaitOneRequest;
import dev.zxd.proto.v1.PortWaitRequest;

import dev.zxd.proto.v1.Signal;
import dev.zxd.proto.v1.SocketCreateFromProtocolInfoRequest;
import dev.zxd.proto.v1.SocketCreateRequest;
import dev.zxd.proto.v1.SocketReadRequest;
import dev.zxd.proto.v1.Status;
import dev.zxd.proto.v1.SyscallReply;
import dev.zxd.proto.v1.SyscallRequest;
import dev.zxd.proto.v1.TimerCreateRequest;
import dev.zxd.proto.v1.TimerSetRequest;
import dev.zxd.proto.v1.VmoCreateRequest;
import dev.zxd.proto.v1.VmoReadRequest;
import dev.zxd.proto.v1.WaitItem;
import dev.zxd.testing.ZxdExtension;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad input, end to end: every malformed, absurd, forged or out-of-range request gets a clear status and
 * changes nothing else. Each test starts from a process holding a channel with one queued message (carrying
 * an event) and checks afterwards that no handle was leaked or lost, the message is intact, the session still
 * works and the daemon still serves. Written once, run over every transport.
 */
abstract class BadInputScenario {
  abstract ZxdExtension zxd();

  private static final int NEVER_ISSUED = 0x5A5A5A5B; // low bits set like a real value; no table holds it
  private static final long TIME_INFINITE_PAST = Long.MIN_VALUE;

  private Zxd connection;
  private ZxProcess p;
  private Stubs raw;
  private Channel.Pair pair;
  private long carriedKoid;
  private int handlesBefore;
  private int objectsBefore;

  @BeforeEach
  void victim() {
    connection = Zxd.connect(zxd().target());
    p = connection.createProcess("victim");
    raw = p.stubs();
    pair = p.createChannel();
    Event carried = p.createEvent();
    carriedKoid = carried.koid();
    pair.end0().write("kept", carried);
    handlesBefore = handleCount();
    objectsBefore = zxd().kernel().objects().size();
  }

  @AfterEach
  void close() {
    connection.close();
  }

  private int handleCount() {
    return zxd().kernel().processes().get(p.koid()).handleTableSize();
  }

  /** Nothing leaked or lost; the queued message and its handle are intact; session and daemon still work. */
  private void assertUnharmed(int handlesChangedBy) {
    assertEquals(handlesBefore + handlesChangedBy, handleCount(), "the victim's handle count");
    assertTrue(connection.monotonicNow() > 0, "the daemon still serves");
    Event probe = p.createEvent();
    probe.close();
    Message m = pair.end1().read();
    assertEquals("kept", m.bytes().toStringUtf8(), "the queued message is intact");
    assertEquals(1, m.handles().size());
    assertEquals(carriedKoid, m.handles().get(0).koid(), "with the handle it carried");
    m.handles().get(0).close();
  }

  private void assertUnharmed() {
    assertUnharmed(0);
  }

  private static io.grpc.Status.Code codeOf(Runnable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
    assertNotNull(e.getStatus().getDescription(), "the refusal says why: " + e.getStatus());
    return e.getStatus().getCode();
  }

  // ---- malformed frames ----------------------------------------------------------------------------------

  private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  };

  /** Field 2 (bytes) declared 127 bytes long, then the frame ends: not a protobuf message. */
  private static final byte[] TRUNCATED_PROTOBUF = {0x08, 0x03, 0x12, 0x7f, 'x'};

  private io.grpc.Status.Code rawCall(String method, byte[] frame) {
    MethodDescriptor<byte[], byte[]> m = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(method)
        .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
        raw.sessionChannel().newCall(m, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS)), frame));
    return e.getStatus().getCode();
  }

  @Test
  void aFrameThatIsNotProtobufIsInvalidArgument() {
    assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, rawCall("zxd.v1.Channel/Write", TRUNCATED_PROTOBUF));
    assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, rawCall("zxd.v1.Handle/Close", new byte[] {(byte) 0xff}));
    assertEquals(io.grpc.Status.Code.UNIMPLEMENTED, rawCall("zxd.v1.Channel/NoSuchCall", new byte[0]));
    assertUnharmed();
  }

  @Test
  void aFrameThatIsNotProtobufOnTheSyscallStreamEndsItWithInvalidArgument() throws Exception {
    MethodDescriptor<byte[], byte[]> invoke = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.BIDI_STREAMING).setFullMethodName("zxd.v1.Kernel/Invoke")
        .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    CompletableFuture<Throwable> ended = new CompletableFuture<>();
    StreamObserver<byte[]> requests = ClientCalls.asyncBidiStreamingCall(
        raw.sessionChannel().newCall(invoke, CallOptions.DEFAULT), observer(ended));
    requests.onNext(TRUNCATED_PROTOBUF);
    Throwable t = ended.get(10, TimeUnit.SECONDS);
    assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, io.grpc.Status.fromThrowable(t).getCode(), t.toString());
    requests.onError(new RuntimeException("done"));
    assertUnharmed();
  }

  private static <T> StreamObserver<T> observer(CompletableFuture<Throwable> ended) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {}

      @Override
      public void onError(Throwable t) {
        ended.complete(t);
      }

      @Override
      public void onCompleted() {
        ended.complete(null);
      }
    };
  }

  @Test
  void aRequestOverTheFrameLimitIsResourceExhausted() {
    ByteString huge = ByteString.copyFrom(new byte[5 << 20]); // max-frame-bytes is 4 MiB
    ChannelWriteRequest write = ChannelWriteRequest.newBuilder().setHandle(pair.end0().value()).setBytes(huge)
        .build();
    if (zxd().transport() == ZxdExtension.Transport.IN_PROCESS) {
      // In-process calls pass message objects, not frames: the kernel's own limit answers instead.
      assertEquals(Status.ZX_ERR_OUT_OF_RANGE, raw.channel.write(write).getStatus());
    } else {
      assertEquals(io.grpc.Status.Code.RESOURCE_EXHAUSTED, codeOf(() -> raw.channel.write(write)));
    }
    assertUnharmed();
  }

  // ---- unknown enum values -------------------------------------------------------------------------------

  @Test
  void numbersOutsideTheirEnumsAreRefusedAsZirconDoes() {
    int channel = pair.end0().value();
    assertEquals(Status.ZX_ERR_NOT_SUPPORTED, raw.object.getInfo(ObjectGetInfoRequest.newBuilder()
        .setHandle(channel).setTopic(9999).setBufferSize(64).build()).getStatus(), "unknown info topic");
    assertEquals(Status.ZX_ERR_INVALID_ARGS, raw.channel.create(ChannelCreateRequest.newBuilder()
        .setOptions(0x40).build()).getStatus(), "unknown channel_create option");
    assertEquals(Status.ZX_ERR_INVALID_ARGS, raw.socket.create(SocketCreateRequest.newBuilder()
        .setOptions(0x100).build()).getStatus(), "unknown socket_create option");
    assertEquals(Status.ZX_ERR_INVALID_ARGS, raw.event.create(EventCreateRequest.newBuilder()
        .setOptions(-1).build()).getStatus(), "unknown event_create option");
    assertEquals(Status.ZX_ERR_NOT_SUPPORTED, raw.channel.read(ChannelReadRequest.newBuilder()
        .setHandle(pair.end1().value()).setOptions(0x8000).setNumBytes(64).setNumHandles(4).build()).getStatus(),
        "unknown channel_read option");
    Port port = p.createPort();
    assertEquals(Status.ZX_ERR_INVALID_ARGS, raw.object.waitAsync(ObjectWaitAsyncRequest.newBuilder()
        .setHandle(channel).setPort(port.value()).setSignals(Signal.ZX_CHANNEL_READABLE_VALUE).setOptions(77)
        .build()).getStatus(), "unknown wait_async option");
    port.close();
    Vmo vmo = p.createVmo(4096, 0); // a VMO has GET_PROPERTY, so the property number itself is judged
    assertEquals(Status.ZX_ERR_INVALID_ARGS, raw.object.getProperty(ObjectGetPropertyRequest.newBuilder()
        .setHandle(vmo.value()).setProperty(9999).setValueSize(64).build()).getStatus(), "unknown property");
    vmo.close();
    assertUnharmed();
  }

  @Test
  void anUnknownHandleOperationConsumesTheSourceAsAMoveWould() {
    Event e = p.createEvent();
    long koid = e.koid();
    var reply = raw.channel.writeEtc(ChannelWriteEtcRequest.newBuilder().setHandle(pair.end0().value())
        .addHandles(HandleDisposition.newBuilder().setOperation(7).setHandle(e.value())).build());
    assertEquals(Status.ZX_ERR_INVALID_ARGS, reply.getStatus());
    assertNull(zxd().kernel().objects().get(koid), "the source was closed, as the proto says");
    assertUnharmed();
  }

  // ---- absurd sizes and counts ---------------------------------------------------------------------------

  @Test
  void hugeBufferCapacitiesAreJustLargeBuffers() {
    int unsignedMax = -1; // 0xFFFFFFFF on the wire
    var read = raw.channel.read(ChannelReadRequest.newBuilder().setHandle(pair.end1().value())
        .setNumBytes(unsignedMax).setNumHandles(unsignedMax).build());
    assertEquals(Status.ZX_OK, read.getStatus(), "a 4 GiB buffer holds any message");
    assertEquals("kept", read.getBytes().toStringUtf8());
    pair.end0().write("kept", p.handle(read.getHandles(0)));

    Socket.Pair sockets = p.createSocket(0);
    sockets.end0().write("abc");
    var sread = raw.socket.read(SocketReadRequest.newBuilder().setHandle(sockets.end1().value())
        .setBufferSize(unsignedMax).build());
    assertEquals(Status.ZX_OK, sread.getStatus());
    assertEquals("abc", sread.getBuffer().toStringUtf8());
    assertEquals(Status.ZX_OK, raw.object.getInfo(ObjectGetInfoRequest.newBuilder().setHandle(pair.end0().value())
        .setTopic(2).setBufferSize(unsignedMax).build()).getStatus());
    sockets.close();

    Fifo.Pair fifos = p.createFifo(4, 8);
    assertEquals(Status.ZX_ERR_SHOULD_WAIT, raw.fifo.read(FifoReadRequest.newBuilder()
        .setHandle(fifos.end0().value()).setElemSize(8).setCount(unsignedMax).build()).getStatus(),
        "an empty fifo, whatever the count");
    assertEquals(Status.ZX_ERR_OUT_OF_RANGE, raw.fifo.read(FifoReadRequest.newBuilder()
        .setHandle(fifos.end0().value()).setElemSize(8).setCount(0).build()).getStatus(), "count 0");
    fifos.end0().close();
    fifos.end1().close();
    assertUnharmed();
  }

  @Test
  void vmoSizesBeyondTheLimitAreOutOfRangeWithoutAllocating() {
    assertEquals(Status.ZX_ERR_OUT_OF_RANGE, raw.vmo.create(VmoCreateRequest.newBuilder().setSize(-1L).build())
        .getStatus(), "UINT64_MAX bytes");
    assertEquals(Status.ZX_ERR_OUT_OF_RANGE, raw.vmo.create(VmoCreateRequest.newBuilder().setSize(1L << 62)
        .build()).getStatus());
    Vmo vmo = p.createVmo(4096, 0);
    assertEquals(Status.ZX_ERR_OUT_OF_RANGE, raw.vmo.read(VmoReadRequest.newBuilder().setHandle(vmo.value())
        .setOffset(0).setBufferSize(Long.MIN_VALUE).build()).getStatus(), "2^63 bytes from a page");
    assertEquals(Status.ZX_ERR_OUT_OF_RANGE, raw.vmo.read(VmoReadRequest.newBuilder().setHandle(vmo.value())
        .setOffset(-4096L).setBufferSize(8192).build()).getStatus(), "offset + length wraps around");
    vmo.close();
    assertUnharmed();
  }

  @Test
  void tenThousandHandlesInOneWriteAreOutOfRangeAndConsumedAsZirconDoes() {
    Event a = p.createEvent();
    Event b = p.createEvent();
    long aKoid = a.koid();
    long bKoid = b.koid();
    ChannelWriteRequest.Builder w = ChannelWriteRequest.newBuilder().setHandle(pair.end0().value())
        .setBytes(ByteString.copyFromUtf8("too many"));
    w.addHandles(a.value()).addHandles(b.value());
    for (int i = 0; i < 9_998; i++) {
      w.addHandles(NEVER_ISSUED);
    }
    assertEquals(Status.ZX_ERR_OUT_OF_RANGE, raw.channel.write(w.build()).getStatus());
    assertNull(zxd().kernel().objects().get(aKoid), "zx_channel_write consumes the handles even so");
    assertNull(zxd().kernel().objects().get(bKoid));
    assertEquals(Status.ZX_ERR_SHOULD_WAIT, raw.channel.read(ChannelReadRequest.newBuilder()
        .setHandle(pair.end0().value()).setNumBytes(64).build()).getStatus(), "nothing was written");
    assertUnharmed();
  }

  @Test
  void closeManyWithTenThousandUnknownValuesClosesTheRealOnesAndSaysBadHandle() {
    Event real = p.createEvent();
    long realKoid = real.koid();
    HandleCloseManyRequest.Builder req = HandleCloseManyRequest.newBuilder().addHandles(real.value());
    for (int i = 0; i < 10_000; i++) {
      req.addHandles(NEVER_ISSUED + 4 * i);
    }
    assertEquals(Status.ZX_ERR_BAD_HANDLE, raw.handle.closeMany(req.build()).getStatus());
    assertNull(zxd().kernel().objects().get(realKoid));
    assertUnharmed();
  }

  @Test
  void waitManyOverSixteenItemsIsOutOfRangeAndRegistersNothing() {
    ObjectWaitManyRequest.Builder req = ObjectWaitManyRequest.newBuilder().setDeadline(Long.MAX_VALUE);
    for (int i = 0; i < 10_000; i++) {
      req.addItems(WaitItem.newBuilder().setHandle(pair.end0().value()).setWaitfor(Signal.ZX_USER_SIGNAL_0_VALUE));
    }
    assertEquals(Status.ZX_ERR_OUT_OF_RANGE, raw.object.waitMany(req.build()).getStatus());
    KernelObject end0 = zxd().kernel().objects().get(pair.end0().koid());
    assertEquals(0, end0.observerCount());
    assertUnharmed();
  }

  // ---- deadlines -----------------------------------------------------------------------------------------

  @Test
  void pastDeadlinesDownToInt64MinPollAndTimeOutAtOnce() {
    Event e = p.createEvent();
    for (long deadline : new long[] {TIME_INFINITE_PAST, -1, 0, 1}) {
      ObjectWaitOneReply r = raw.object.withDeadlineAfter(10, TimeUnit.SECONDS).waitOne(ObjectWaitOneRequest
          .newBuilder().setHandle(e.value()).setSignals(Signal.ZX_USER_SIGNAL_0_VALUE).setDeadline(deadline)
          .build());
      assertEquals(Status.ZX_ERR_TIMED_OUT, r.getStatus(), "deadline " + deadline);
      assertEquals(Status.ZX_ERR_TIMED_OUT, raw.object.withDeadlineAfter(10, TimeUnit.SECONDS).waitMany(
          ObjectWaitManyRequest.newBuilder().setDeadline(deadline).addItems(WaitItem.newBuilder()
              .setHandle(e.value()).setWaitfor(Signal.ZX_USER_SIGNAL_0_VALUE)).build()).getStatus());
    }
    Port port = p.createPort();
    assertEquals(Status.ZX_ERR_TIMED_OUT, raw.port.withDeadlineAfter(10, TimeUnit.SECONDS).wait(PortWaitRequest
        .newBuilder().setHandle(port.value()).setDeadline(TIME_INFINITE_PAST).build()).getStatus());
    port.close();

    Channel.Pair server = p.createChannel();
    var call = raw.channel.withDeadlineAfter(10, TimeUnit.SECONDS).call(ChannelCallRequest.newBuilder()
        .setHandle(server.end0().value()).setDeadline(TIME_INFINITE_PAST).setArgs(ChannelCallArgs.newBuilder()
            .setWrBytes(ByteString.copyFromUtf8("txid")).setRdNumBytes(64)).build());
    assertEquals(Status.ZX_ERR_TIMED_OUT, call.getStatus(), "channel_call with INT64_MIN");
    server.close();

    int timer = raw.timer.create(TimerCreateRequest.getDefaultInstance()).getOut();
    assertEquals(Status.ZX_OK, raw.timer.set(TimerSetRequest.newBuilder().setHandle(timer)
        .setDeadline(TIME_INFINITE_PAST).build()).getStatus());
    assertEquals(Status.ZX_OK, raw.object.withDeadlineAfter(10, TimeUnit.SECONDS).waitOne(ObjectWaitOneRequest
        .newBuilder().setHandle(timer).setSignals(Signal.ZX_TIMER_SIGNALED_VALUE).setDeadline(0).build())
        .getStatus(), "a timer set in the past is signaled at once");
    raw.handle.close(HandleCloseRequest.newBuilder().setHandle(timer).build());
    e.close();
    assertUnharmed();
  }

  @Test
  void infiniteAndHugeDeadlinesWaitWithoutATimerUntilSignaled() throws Exception {
    Event e = p.createEvent();
    KernelObject object = zxd().kernel().objects().get(e.koid());
    for (long deadline : new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 1}) {
      var wait = dev.zxd.proto.v1.ObjectGrpc.newFutureStub(raw.sessionChannel()).waitOne(ObjectWaitOneRequest.newBuilder().setHandle(e.value())
              .setSignals(Signal.ZX_USER_SIGNAL_0_VALUE).setDeadline(deadline).build());
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> object.observerCount() == 1);
      e.signal(0, Signal.ZX_USER_SIGNAL_0_VALUE);
      assertEquals(Status.ZX_OK, wait.get(10, TimeUnit.SECONDS).getStatus(), "deadline " + deadline);
      e.signal(Signal.ZX_USER_SIGNAL_0_VALUE, 0);
      assertEquals(0, object.observerCount());
    }
    e.close();
    assertUnharmed();
  }

  // ---- sessions, handles and tokens that were never issued -----------------------------------------------

  @Test
  void missingForgedAndExpiredSessionsAreUnauthenticated() throws Exception {
    var bare = dev.zxd.proto.v1.EventGrpc.newBlockingStub(connection.grpcChannel());
    assertEquals(io.grpc.Status.Code.UNAUTHENTICATED, codeOf(() -> bare.create(EventCreateRequest
        .getDefaultInstance())), "no zx-session");
    for (String token : new String[] {"", "forged", p.sessionToken() + "x", "A".repeat(4096)}) {
      Metadata md = new Metadata();
      md.put(Stubs.SESSION_KEY, token);
      assertEquals(io.grpc.Status.Code.UNAUTHENTICATED, codeOf(() -> bare.withInterceptors(
          MetadataUtils.newAttachHeadersInterceptor(md)).create(EventCreateRequest.getDefaultInstance())),
          "token of length " + token.length());
    }
    ZxProcess gone = connection.createProcess("gone");
    String expired = gone.sessionToken();
    gone.exit(0);
    Metadata md = new Metadata();
    md.put(Stubs.SESSION_KEY, expired);
    assertEquals(io.grpc.Status.Code.UNAUTHENTICATED, codeOf(() -> bare.withInterceptors(
        MetadataUtils.newAttachHeadersInterceptor(md)).create(EventCreateRequest.getDefaultInstance())),
        "the session of a process that exited");
    CompletableFuture<Throwable> ended = new CompletableFuture<>();
    StreamObserver<SyscallRequest> stream = KernelGrpc.newStub(connection.grpcChannel())
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md)).invoke(observer(ended));
    stream.onNext(SyscallRequest.newBuilder().setId(1).setEventCreate(EventCreateRequest.getDefaultInstance())
        .build());
    assertEquals(io.grpc.Status.Code.UNAUTHENTICATED,
        io.grpc.Status.fromThrowable(ended.get(10, TimeUnit.SECONDS)).getCode(), "and on the syscall stream");
    assertUnharmed();
  }

  @Test
  void handleValuesNeverIssuedOrOfAnotherProcessAreBadHandle() {
    ZxProcess other = connection.createProcess("other");
    Event theirs = other.createEvent();
    for (int value : new int[] {NEVER_ISSUED, theirs.value(), -1, 1, 2}) {
      assertEquals(Status.ZX_ERR_BAD_HANDLE, raw.handle.close(HandleCloseRequest.newBuilder().setHandle(value)
          .build()).getStatus(), "close 0x" + Integer.toHexString(value));
      assertEquals(Status.ZX_ERR_BAD_HANDLE, raw.channel.write(ChannelWriteRequest.newBuilder().setHandle(value)
          .build()).getStatus(), "write to 0x" + Integer.toHexString(value));
    }
    assertEquals(Status.ZX_OK, raw.handle.close(HandleCloseRequest.newBuilder().setHandle(0).build()).getStatus(),
        "closing ZX_HANDLE_INVALID is a no-op");
    assertEquals(theirs.koid(), other.handle(theirs.value()).koid(), "the other process's handle is untouched");
    other.close();
    assertUnharmed();
  }

  @Test
  void forgedAndReplayedProtocolInfoTokensAreNotFound() {
    ZxProcess target = connection.createProcess("target");
    Socket.Pair sockets = p.createSocket(0);
    dev.zxd.proto.v1.ProtocolInfo info = sockets.end0().duplicateFor(target.koid()).toProto();
    dev.zxd.proto.v1.ProtocolInfo forged = info.toBuilder().setToken(info.getToken().substring(1) + "A").build();
    assertEquals(Status.ZX_ERR_NOT_FOUND, target.stubs().socket.createFromProtocolInfo(
        SocketCreateFromProtocolInfoRequest.newBuilder().setProtocolInfo(forged).build()).getStatus());
    assertEquals(Status.ZX_ERR_NOT_FOUND, target.stubs().socket.createFromProtocolInfo(
        SocketCreateFromProtocolInfoRequest.newBuilder().setProtocolInfo(dev.zxd.proto.v1.ProtocolInfo.getDefaultInstance())
            .build()).getStatus(), "an empty token");
    assertEquals(Status.ZX_ERR_ACCESS_DENIED, raw.socket.createFromProtocolInfo(
        SocketCreateFromProtocolInfoRequest.newBuilder().setProtocolInfo(info).build()).getStatus(),
        "redeemed by a process it was not made for");
    Socket redeemed = target.socketFromProtocolInfo(new dev.zxd.client.ProtocolInfo(info));
    assertEquals(sockets.end0().koid(), redeemed.koid(), "the token stayed valid for its target");
    assertEquals(Status.ZX_ERR_NOT_FOUND, target.stubs().socket.createFromProtocolInfo(
        SocketCreateFromProtocolInfoRequest.newBuilder().setProtocolInfo(info).build()).getStatus(),
        "replayed");
    target.close();
    sockets.close();
    assertUnharmed();
  }
}
