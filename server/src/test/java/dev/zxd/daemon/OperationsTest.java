package dev.zxd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.zxd.proto.v1.ChannelCreateReply;
import dev.zxd.proto.v1.ChannelCreateRequest;
import dev.zxd.proto.v1.ChannelReadReply;
import dev.zxd.proto.v1.ChannelReadRequest;
import dev.zxd.proto.v1.ChannelWriteRequest;
import dev.zxd.proto.v1.DebugGrpc;
import dev.zxd.proto.v1.DebugListHandlesReply;
import dev.zxd.proto.v1.DebugListHandlesRequest;
import dev.zxd.proto.v1.DebugListProcessesRequest;
import dev.zxd.proto.v1.DebugTraceRequest;
import dev.zxd.proto.v1.EventCreateRequest;
import dev.zxd.proto.v1.HandleSummary;
import dev.zxd.proto.v1.ProcessSummary;
import dev.zxd.proto.v1.Status;
import dev.zxd.proto.v1.TraceEvent;
import dev.zxd.rpc.SyscallTrace;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Metrics, Debug, the trace and the admin token, against a daemon on a real loopback socket. */
class OperationsTest {
  private ZxdServer server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    server = ZxdServer.builder().listen(new ListenAddress.Tcp("127.0.0.1", 0))
        .metrics(new ListenAddress.Tcp("127.0.0.1", 0)).traceBufferEvents(64).start();
    channel = ManagedChannelBuilder.forTarget(server.addresses().get(0).toString()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }

  private String scrape() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://" + server.metricsAddress() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    return r.body();
  }

  private static double sample(String exposition, String series) {
    for (String line : exposition.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return 0;
  }

  @Test
  void metricsMoveWhenSyscallsRunAndPassPromtool() throws Exception {
    SessionStubs p = SessionStubs.create(channel, "metered");
    String series = "zxd_syscall_seconds_count{status=\"ZX_OK\",syscall=\"Event/Create\"}";
    double before = sample(scrape(), series);
    p.event.create(EventCreateRequest.getDefaultInstance());
    p.event.create(EventCreateRequest.getDefaultInstance());
    p.event.create(EventCreateRequest.newBuilder().setOptions(1).build());
    System.gc(); // gauges whose target only Micrometer holds (weakly) would read NaN after a collection
    String after = scrape();
    assertFalse(Double.isNaN(sample(after, "zxd_handles")), "zxd_handles has a value");
    assertFalse(Double.isNaN(sample(after, "zxd_waits_pending")), "zxd_waits_pending has a value");
    assertEquals(before + 2, sample(after, series), after);
    assertEquals(1, sample(after, "zxd_syscall_seconds_count{status=\"ZX_ERR_INVALID_ARGS\",syscall=\"Event/Create\"}"));
    assertEquals(2, sample(after, "zxd_objects{type=\"event\"}"));
    assertEquals(1, sample(after, "zxd_processes"));
    assertTrue(after.contains("jvm_memory_used_bytes"), "JVM metrics are exported");
    ExternalTools.promtoolCheck(after);
  }

  @Test
  void aProcessThatDiesHoldingHandlesIsReportedByTypeAndCreatingSyscall() throws Exception {
    SessionStubs p = SessionStubs.create(channel, "leaky");
    p.event.create(EventCreateRequest.getDefaultInstance());
    p.event.create(EventCreateRequest.getDefaultInstance());
    p.channel.create(ChannelCreateRequest.getDefaultInstance());
    String event = "zxd_leaked_handles_total{origin=\"zx_event_create\",type=\"event\"}";
    String channelEnds = "zxd_leaked_handles_total{origin=\"zx_channel_create\",type=\"channel\"}";
    double before = sample(scrape(), event);
    p.process.exit(dev.zxd.proto.v1.ProcessExitRequest.newBuilder().setRetcode(3).build());
    String after = scrape();
    assertEquals(before + 2, sample(after, event), after);
    assertEquals(2, sample(after, channelEnds), after);
    assertTrue(sample(after, "zxd_process_deaths_total") >= 1);
  }

  @Test
  void debugListsProcessesAndHandlesExactly() {
    SessionStubs a = SessionStubs.create(channel, "alpha");
    SessionStubs b = SessionStubs.create(channel, "beta");
    ChannelCreateReply ch = a.channel.create(ChannelCreateRequest.getDefaultInstance());
    int event = b.event.create(EventCreateRequest.getDefaultInstance()).getOut();
    DebugGrpc.DebugBlockingStub debug = DebugGrpc.newBlockingStub(channel);

    List<ProcessSummary> ps = debug.listProcesses(DebugListProcessesRequest.getDefaultInstance()).getProcessesList();
    assertEquals(List.of("alpha", "beta"), ps.stream().map(ProcessSummary::getName).collect(Collectors.toList()));
    assertEquals(List.of(2, 1), ps.stream().map(ProcessSummary::getHandleCount).collect(Collectors.toList()));

    DebugListHandlesReply ha = debug.listHandles(DebugListHandlesRequest.newBuilder()
        .setProcessId(a.processId).build());
    Map<Integer, HandleSummary> byValue = ha.getHandlesList().stream()
        .collect(Collectors.toMap(HandleSummary::getHandle, h -> h));
    assertEquals(java.util.Set.of(ch.getOut0(), ch.getOut1()), byValue.keySet());
    HandleSummary end0 = byValue.get(ch.getOut0());
    assertEquals("channel", end0.getTypeName());
    assertEquals(0xF00E, end0.getRights());
    assertEquals("zx_channel_create", end0.getOrigin());
    assertEquals(byValue.get(ch.getOut1()).getKoid(), end0.getRelatedKoid());

    HandleSummary ev = debug.listHandles(DebugListHandlesRequest.newBuilder().setProcessId(b.processId).build())
        .getHandles(0);
    assertEquals(event, ev.getHandle());
    assertEquals("zx_event_create", ev.getOrigin());
    assertEquals(Status.ZX_ERR_NOT_FOUND, debug.listHandles(DebugListHandlesRequest.newBuilder()
        .setProcessId(999_999).build()).getStatus());
  }

  @Test
  void traceShowsAWriteBeforeTheReadThatReceivedItsHandle() {
    SessionStubs a = SessionStubs.create(channel, "writer");
    ChannelCreateReply ch = a.channel.create(ChannelCreateRequest.getDefaultInstance());
    int event = a.event.create(EventCreateRequest.getDefaultInstance()).getOut();
    List<TraceEvent> events = new CopyOnWriteArrayList<>();
    io.grpc.Context.CancellableContext ctx = io.grpc.Context.current().withCancellation();
    ctx.run(() -> DebugGrpc.newStub(channel).trace(DebugTraceRequest.newBuilder().setProcessId(a.processId).build(),
        collector(events)));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> server.trace().isActive());

    a.channel.write(ChannelWriteRequest.newBuilder().setHandle(ch.getOut0())
        .setBytes(ByteString.copyFromUtf8("hi")).addHandles(event).build());
    ChannelReadReply read = a.channel.read(ChannelReadRequest.newBuilder().setHandle(ch.getOut1())
        .setNumBytes(64).setNumHandles(4).build());
    assertEquals(Status.ZX_OK, read.getStatus());

    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> events.size() >= 2);
    ctx.cancel(null);
    TraceEvent write = events.get(0);
    TraceEvent got = events.get(1);
    assertEquals("Channel/Write", write.getSyscall());
    assertEquals(List.of(event), write.getHandlesConsumedList());
    assertTrue(write.getArguments().contains("bytes=<2 bytes>"), write.getArguments());
    assertEquals("Channel/Read", got.getSyscall());
    assertEquals(read.getHandlesList(), got.getHandlesCreatedList());
    assertTrue(got.getSequence() > write.getSequence());
    assertEquals(a.processId, got.getProcessId());
  }

  @Test
  void aSlowTraceReaderIsToldHowManyEventsItLost() {
    SessionStubs a = SessionStubs.create(channel, "busy");
    List<TraceEvent> events = new CopyOnWriteArrayList<>();
    // A reader that is never ready: nothing is pushed to it while the ring (64 events) is overwritten.
    boolean[] ready = {false};
    SyscallTrace.Reader reader = server.trace().open(0, events::add, () -> ready[0]);
    for (int i = 0; i < 200; i++) {
      a.event.create(EventCreateRequest.getDefaultInstance());
    }
    assertTrue(events.isEmpty());
    ready[0] = true;
    reader.wake();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> events.size() >= 64);
    reader.close();
    assertTrue(events.get(0).getDroppedBefore() >= 200 - 64, "dropped " + events.get(0).getDroppedBefore());
    long total = events.get(0).getDroppedBefore() + events.size();
    assertEquals(200, total, "every event is either delivered or counted as lost");
  }

  @Test
  void debugRefusesWithoutTheAdminTokenWhenOneIsSet() throws Exception {
    try (ZxdServer guarded = ZxdServer.builder().listen(new ListenAddress.Tcp("127.0.0.1", 0))
        .adminToken("s3cret").start()) {
      ManagedChannel ch = ManagedChannelBuilder.forTarget(guarded.addresses().get(0).toString()).usePlaintext()
          .build();
      try {
        DebugGrpc.DebugBlockingStub debug = DebugGrpc.newBlockingStub(ch);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
            () -> debug.listProcesses(DebugListProcessesRequest.getDefaultInstance()));
        assertEquals(io.grpc.Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        Metadata md = new Metadata();
        md.put(Metadata.Key.of("zx-admin", Metadata.ASCII_STRING_MARSHALLER), "wrong");
        assertThrows(StatusRuntimeException.class, () -> debug.withInterceptors(
            MetadataUtils.newAttachHeadersInterceptor(md)).listProcesses(DebugListProcessesRequest.getDefaultInstance()));
        Metadata good = new Metadata();
        good.put(Metadata.Key.of("zx-admin", Metadata.ASCII_STRING_MARSHALLER), "s3cret");
        assertEquals(0, debug.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(good))
            .listProcesses(DebugListProcessesRequest.getDefaultInstance()).getProcessesCount());
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static StreamObserver<TraceEvent> collector(List<TraceEvent> events) {
    return new StreamObserver<>() {
      @Override
      public void onNext(TraceEvent e) {
        events.add(e);
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    };
  }
}
