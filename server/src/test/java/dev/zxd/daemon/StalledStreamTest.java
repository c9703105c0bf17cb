package dev.zxd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.zxd.kernel.Channel;
import dev.zxd.kernel.KernelObject;
import dev.zxd.kernel.Port;
import dev.zxd.proto.v1.ChannelCreateReply;
import dev.zxd.proto.v1.ChannelCreateRequest;
import dev.zxd.proto.v1.ChannelReadRequest;
import dev.zxd.proto.v1.ChannelWriteRequest;
import dev.zxd.proto.v1.DebugGrpc;
import dev.zxd.proto.v1.DebugTraceRequest;
import dev.zxd.proto.v1.EventCreateRequest;
import dev.zxd.proto.v1.KernelGrpc;
import dev.zxd.proto.v1.ObjectWaitOneRequest;
import dev.zxd.proto.v1.PacketUser;
import dev.zxd.proto.v1.PortCreateRequest;
import dev.zxd.proto.v1.PortGrpc;
import dev.zxd.proto.v1.PortPacket;
import dev.zxd.proto.v1.PortQueueRequest;
import dev.zxd.proto.v1.PortWaitReply;
import dev.zxd.proto.v1.PortWaitStreamRequest;
import dev.zxd.proto.v1.Status;
import dev.zxd.proto.v1.SyscallReply;
import dev.zxd.proto.v1.SyscallRequest;
import dev.zxd.proto.v1.TraceEvent;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading a reply stream: gRPC flow control keeps what the daemon buffers for it bounded,
 * and after the stall limit the daemon ends the stream with RESOURCE_EXHAUSTED and cancels its waits. The
 * clients here never ask for a message (a raw ClientCall without request()) until the daemon has given up;
 * then they read what was sent, and the status last.
 */
class StalledStreamTest {
  private static final Duration STALL = Duration.ofMillis(400);

  private ZxdServer server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    server = ZxdServer.builder().listen(new ListenAddress.Tcp("127.0.0.1", 0)).streamStallTimeout(STALL).start();
    // A small receive window per stream, so a few replies fill it.
    channel = NettyChannelBuilder.forTarget(server.addresses().get(0).toString()).usePlaintext()
        .flowControlWindow(8 * 1024).build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
    assertEquals(0, server.kernel().objects().size());
  }

  /** A call whose client reads nothing until {@link #readAll} is called. */
  private static final class NotReading<Q, R> extends ClientCall.Listener<R> {
    final List<R> received = new CopyOnWriteArrayList<>();
    final CompletableFuture<io.grpc.Status> closed = new CompletableFuture<>();
    final ClientCall<Q, R> call;

    NotReading(io.grpc.Channel ch, MethodDescriptor<Q, R> method) {
      call = ch.newCall(method, CallOptions.DEFAULT);
      call.start(this, new Metadata());
    }

    @Override
    public void onMessage(R message) {
      received.add(message);
    }

    @Override
    public void onClose(io.grpc.Status status, Metadata trailers) {
      closed.complete(status);
    }

    /** Reads everything the daemon sent, then the status it ended the stream with. */
    io.grpc.Status readAll() throws Exception {
      call.request(Integer.MAX_VALUE);
      return closed.get(10, TimeUnit.SECONDS);
    }
  }

  private io.grpc.Channel session(SessionStubs p) {
    Metadata md = new Metadata();
    md.put(SessionStubs.SESSION, p.token);
    return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(md));
  }

  /** Waits until the daemon has ended {@code n} streams for stalling (its zxd_streams_stalled_total). */
  private void awaitStalledStreams(int n) {
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
        server.meterRegistry().get("zxd.streams.stalled").functionCounter().count() >= n);
  }

  private static void assertStalled(io.grpc.Status status, String stream) {
    assertEquals(io.grpc.Status.Code.RESOURCE_EXHAUSTED, status.getCode(), status.toString());
    assertTrue(status.getDescription().startsWith(stream + ": the client read no reply for 400 ms"),
        status.getDescription());
    assertTrue(status.getDescription().contains("stream-stall-timeout"), status.getDescription());
  }

  @Test
  void invokeStreamWhoseClientStopsReadingIsEndedAndItsWaitsCanceled() throws Exception {
    SessionStubs p = SessionStubs.create(channel, "stalled");
    ChannelCreateReply pair = p.channel.create(ChannelCreateRequest.getDefaultInstance());
    int messages = 300;
    ByteString payload = ByteString.copyFrom(new byte[32 * 1024]);
    for (int i = 0; i < messages; i++) {
      assertEquals(Status.ZX_OK, p.channel.write(ChannelWriteRequest.newBuilder().setHandle(pair.getOut0())
          .setBytes(payload).build()).getStatus());
    }
    int event = p.event.create(EventCreateRequest.getDefaultInstance()).getOut();
    KernelObject eventObject = server.kernel().objects().all().stream()
        .filter(o -> o.type() == dev.zxd.kernel.ObjectType.EVENT).findFirst().orElseThrow();
    Channel readEnd = (Channel) server.kernel().objects().get(server.kernel().processes().get(p.processId)
        .handleSnapshot().get(pair.getOut1()).object().koid());

    NotReading<SyscallRequest, SyscallReply> stream = new NotReading<>(session(p), KernelGrpc.getInvokeMethod());
    stream.call.sendMessage(SyscallRequest.newBuilder().setId(1).setObjectWaitOne(ObjectWaitOneRequest.newBuilder()
        .setHandle(event).setSignals(1 << 24).setDeadline(Long.MAX_VALUE)).build());
    for (int i = 0; i < messages; i++) {
      stream.call.sendMessage(SyscallRequest.newBuilder().setId(2 + i).setChannelRead(ChannelReadRequest
          .newBuilder().setHandle(pair.getOut1()).setNumBytes(64 * 1024)).build());
    }

    // The daemon stops taking requests once the client's window is full, then gives up on the stream: the
    // pending wait's observer is removed.
    awaitStalledStreams(1);
    assertEquals(0, eventObject.observerCount(), "the pending wait was canceled");
    int leftInChannel = readEnd.queuedMessages();
    int takenByStream = messages - leftInChannel;
    System.out.println("stalled Kernel/Invoke: read " + takenByStream + " of " + messages + " messages of 32 KiB");
    assertTrue(takenByStream <= 100, "the daemon kept reading for a client that did not: " + takenByStream);

    assertStalled(stream.readAll(), "Kernel/Invoke");
    long delivered = stream.received.stream().filter(r -> r.hasChannelRead()
        && r.getChannelRead().getStatus() == Status.ZX_OK).count();
    assertEquals(takenByStream, delivered, "every message the stream took was delivered before the status");
    assertEquals(leftInChannel, readEnd.queuedMessages(), "the rest stay queued");
    assertEquals(Status.ZX_OK, p.channel.read(ChannelReadRequest.newBuilder().setHandle(pair.getOut1())
        .setNumBytes(64 * 1024).build()).getStatus(), "the session still works");
  }

  @Test
  void portWaitStreamWhoseClientStopsReadingIsEndedAndThePortKeepsItsPackets() throws Exception {
    SessionStubs p = SessionStubs.create(channel, "stalled");
    PortGrpc.PortBlockingStub ports = PortGrpc.newBlockingStub(session(p));
    int port = ports.create(PortCreateRequest.getDefaultInstance()).getOut();
    int queued = Port.MAX_PENDING;
    PortPacket packet = PortPacket.newBuilder().setKey(-1L).setUser(PacketUser.newBuilder().addU64(-1L)
        .addU64(-2L).addU64(-3L).addU64(-4L)).build(); // ~60 bytes each: the port's 2 048 fill the window
    for (int i = 0; i < queued; i++) {
      assertEquals(Status.ZX_OK, ports.queue(PortQueueRequest.newBuilder().setHandle(port).setPacket(packet)
          .build()).getStatus());
    }
    Port portObject = (Port) server.kernel().objects().all().stream()
        .filter(o -> o.type() == dev.zxd.kernel.ObjectType.PORT).findFirst().orElseThrow();

    NotReading<PortWaitStreamRequest, PortWaitReply> stream =
        new NotReading<>(session(p), PortGrpc.getWaitStreamMethod());
    stream.call.sendMessage(PortWaitStreamRequest.newBuilder().setHandle(port).build());
    stream.call.halfClose();
    awaitStalledStreams(1);

    assertStalled(stream.readAll(), "Port/WaitStream");
    int left = portObject.queuedPackets();
    System.out.println("stalled Port/WaitStream: took " + (queued - left) + " of " + queued + " packets");
    assertTrue(left > 0, "the daemon stopped draining the port for a client that did not read");
    assertEquals(queued - left, stream.received.size(), "every packet taken was delivered, none lost");
    assertEquals(0, portObject.pendingWaiters());
  }

  @Test
  void traceStreamWhoseClientStopsReadingIsEnded() throws Exception {
    SessionStubs p = SessionStubs.create(channel, "traced");
    NotReading<DebugTraceRequest, TraceEvent> stream =
        new NotReading<>(channel, DebugGrpc.getTraceMethod());
    stream.call.sendMessage(DebugTraceRequest.getDefaultInstance());
    stream.call.halfClose();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> server.trace().isActive());
    // Each Event/Create is one trace event; a few thousand fill the small window.
    CompletableFuture<io.grpc.Status> ended = stream.closed;
    for (int i = 0; i < 20_000 && server.trace().isActive(); i++) {
      p.event.create(EventCreateRequest.getDefaultInstance());
    }
    awaitStalledStreams(1);
    assertTrue(!server.trace().isActive(), "the trace reader was closed");
    assertStalled(stream.readAll(), "Debug/Trace");
    assertTrue(ended.isDone());
  }
}
