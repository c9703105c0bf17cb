package dev.zxd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.zxd.kernel.Handle;
import dev.zxd.kernel.KernelConfig;
import dev.zxd.kernel.Process;
import dev.zxd.proto.v1.DebugDescribeObjectRequest;
import dev.zxd.proto.v1.DebugGrpc;
import dev.zxd.proto.v1.DebugListHandlesRequest;
import dev.zxd.proto.v1.DebugListProcessesRequest;
import dev.zxd.proto.v1.DebugStatsRequest;
import dev.zxd.proto.v1.EventCreateRequest;
import dev.zxd.proto.v1.HandleCloseRequest;
import dev.zxd.proto.v1.HandleDuplicateRequest;
import dev.zxd.proto.v1.KernelGrpc;
import dev.zxd.proto.v1.ObjectSignalRequest;
import dev.zxd.proto.v1.ProcessExitRequest;
import dev.zxd.proto.v1.ProtocolInfo;
import dev.zxd.proto.v1.SocketCreateFromProtocolInfoRequest;
import dev.zxd.proto.v1.SocketCreateReply;
import dev.zxd.proto.v1.SocketCreateRequest;
import dev.zxd.proto.v1.SocketDuplicateForProcessReply;
import dev.zxd.proto.v1.SocketDuplicateForProcessRequest;
import dev.zxd.proto.v1.SocketGrpc;
import dev.zxd.proto.v1.Status;
import dev.zxd.proto.v1.SyscallReply;
import dev.zxd.proto.v1.SyscallRequest;
import dev.zxd.proto.v1.TraceEvent;
import dev.zxd.rpc.SyscallTrace;
import dev.zxd.testing.ZxdExtension;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * End to end: handle values of one process are nothing in another's (ten thousand tries on one syscall
 * stream), and session and protocol-info tokens never show up in logs, traces or Debug output, whatever
 * happens to them (made, redeemed, refused, forged, expired, sent by dead processes).
 */
class IsolationAndSecrecyEndToEndTest {
  @RegisterExtension
  static final ZxdExtension zxd = ZxdExtension.tcp()
      .withConfig(KernelConfig.DEFAULTS.withTokenExpiry(Duration.ofMillis(200)));

  private ManagedChannel channel;

  @BeforeEach
  void connect() {
    channel = ManagedChannelBuilder.forTarget(zxd.target()).usePlaintext().build();
  }

  @AfterEach
  void disconnect() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private io.grpc.Channel as(String token) {
    Metadata md = new Metadata();
    md.put(SessionStubs.SESSION, token);
    return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(md));
  }

  /** Sends every request on one Kernel/Invoke stream and returns the replies, in order. */
  private List<SyscallReply> invoke(String token, List<SyscallRequest> requests) throws Exception {
    List<SyscallReply> replies = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> ended = new CompletableFuture<>();
    StreamObserver<SyscallRequest> out = KernelGrpc.newStub(as(token)).invoke(new StreamObserver<>() {
      @Override
      public void onNext(SyscallReply r) {
        replies.add(r);
      }

      @Override
      public void onError(Throwable t) {
        ended.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        ended.complete(null);
      }
    });
    requests.forEach(out::onNext);
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> replies.size() >= requests.size() || ended.isDone());
    out.onCompleted();
    ended.get(10, TimeUnit.SECONDS);
    assertEquals(requests.size(), replies.size());
    return replies;
  }

  @Test
  void tenThousandValuesFromAnotherProcessAreAllBadHandles() throws Exception {
    long seed = System.nanoTime();
    Random rnd = new Random(seed);
    SessionStubs victim = SessionStubs.create(channel, "victim");
    SessionStubs attacker = SessionStubs.create(channel, "attacker");
    List<SyscallRequest> creates = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      creates.add(SyscallRequest.newBuilder().setId(i + 1).setEventCreate(EventCreateRequest.getDefaultInstance())
          .build());
    }
    List<Integer> victimValues = new ArrayList<>();
    for (SyscallReply r : invoke(victim.token, creates)) {
      assertEquals(Status.ZX_OK, r.getStatus());
      victimValues.add(r.getEventCreate().getOut());
    }
    int ownEvent = attacker.event.create(EventCreateRequest.getDefaultInstance()).getOut();
    Process victimProcess = zxd.kernel().processes().get(victim.processId);
    Map<Integer, Handle> before = victimProcess.handleSnapshot();
    int objectsBefore = zxd.kernel().objects().size();

    List<SyscallRequest> tries = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      int v = (i & 1) == 0 ? victimValues.get((i >>> 1) % victimValues.size()) : rnd.nextInt() | 3;
      if (v == ownEvent) {
        continue;
      }
      SyscallRequest.Builder b = SyscallRequest.newBuilder().setId(i + 1);
      switch (i % 3) {
        case 0 -> b.setHandleClose(HandleCloseRequest.newBuilder().setHandle(v));
        case 1 -> b.setHandleDuplicate(HandleDuplicateRequest.newBuilder().setHandle(v).setRights(0x80000000));
        default -> b.setObjectSignal(ObjectSignalRequest.newBuilder().setHandle(v).setSetMask(1 << 24));
      }
      tries.add(b.build());
    }
    for (SyscallReply r : invoke(attacker.token, tries)) {
      assertEquals(Status.ZX_ERR_BAD_HANDLE, r.getStatus(), () -> "seed " + seed + ": " + r);
    }
    Map<Integer, Handle> after = victimProcess.handleSnapshot();
    assertEquals(before.keySet(), after.keySet(), "the victim's values");
    before.forEach((v, h) -> {
      assertSame(h, after.get(v));
      assertEquals(1, h.object().handleCount());
      assertEquals(0, h.object().signals(), "no signal was set");
    });
    assertEquals(objectsBefore, zxd.kernel().objects().size());
    assertEquals(1, zxd.kernel().processes().get(attacker.processId).handleTableSize());
  }

  @Test
  void tokensNeverReachLogsTracesOrDebugOutput() throws Exception {
    LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = logging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger zxdLogger = logging.getLogger("dev.zxd");
    Logger grpcLogger = logging.getLogger("io.grpc");
    Level zxdLevel = zxdLogger.getLevel();
    Level grpcLevel = grpcLogger.getLevel();
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.setContext(logging);
    logs.start();
    root.addAppender(logs);
    zxdLogger.setLevel(Level.TRACE);
    grpcLogger.setLevel(Level.DEBUG);
    List<TraceEvent> traced = new CopyOnWriteArrayList<>();
    SyscallTrace.Reader trace = zxd.server().trace().open(0, traced::add, () -> true);
    List<String> secrets = new ArrayList<>();
    List<String> debugOutput = new ArrayList<>();
    try {
      scenario(secrets, debugOutput);
    } finally {
      trace.close();
      root.detachAppender(logs);
      zxdLogger.setLevel(zxdLevel);
      grpcLogger.setLevel(grpcLevel);
    }

    assertTrue(secrets.size() >= 6, "the scenario made its tokens");
    assertFalse(traced.isEmpty(), "the trace saw the scenario");
    assertFalse(logs.list.isEmpty(), "the logs saw the scenario (process exits with handles held)");
    List<String> texts = new ArrayList<>(debugOutput);
    traced.forEach(e -> texts.add(e.toString()));
    for (ILoggingEvent e : logs.list) {
      if (e.getLoggerName().equals("io.grpc.netty.NettyClientHandler")) {
        continue; // this test's own client, which sends the tokens, logging its frames: not the daemon
      }
      texts.add(e.getFormattedMessage());
      texts.add(String.valueOf(e.getMDCPropertyMap()));
      if (e.getArgumentArray() != null) {
        for (Object arg : e.getArgumentArray()) {
          texts.add(String.valueOf(arg));
        }
      }
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        texts.add(t.getClassName() + ": " + t.getMessage());
      }
    }
    for (String text : texts) {
      for (String secret : secrets) {
        assertFalse(text.contains(secret), () -> "a token appears in: " + text);
        // Tokens are base64url: a fragment of one is as bad as all of it.
        assertFalse(text.contains(secret.substring(8, 32)), () -> "part of a token appears in: " + text);
      }
    }
  }

  private void scenario(List<String> secrets, List<String> debugOutput) throws Exception {
    SessionStubs a = SessionStubs.create(channel, "holder");
    SessionStubs b = SessionStubs.create(channel, "redeemer");
    SessionStubs c = SessionStubs.create(channel, "bystander");
    secrets.add(a.token);
    secrets.add(b.token);
    secrets.add(c.token);
    SocketGrpc.SocketBlockingStub sa = SocketGrpc.newBlockingStub(as(a.token));
    SocketGrpc.SocketBlockingStub sb = SocketGrpc.newBlockingStub(as(b.token));
    SocketGrpc.SocketBlockingStub sc = SocketGrpc.newBlockingStub(as(c.token));
    SocketCreateReply pair = sa.create(SocketCreateRequest.getDefaultInstance());

    // A token redeemed after refusals: forged, wrong process.
    String redeemed = issue(sa, pair.getOut0(), b.processId);
    String expiring = issue(sa, pair.getOut1(), b.processId);
    String orphaned = issue(sa, pair.getOut0(), c.processId);
    secrets.add(redeemed);
    secrets.add(expiring);
    secrets.add(orphaned);
    String forged = redeemed.substring(0, 20) + (redeemed.charAt(20) == 'A' ? 'B' : 'A') + redeemed.substring(21);
    assertEquals(Status.ZX_ERR_NOT_FOUND, redeem(sb, forged));
    assertEquals(Status.ZX_ERR_ACCESS_DENIED, redeem(sc, redeemed));
    assertEquals(Status.ZX_OK, redeem(sb, redeemed));
    assertEquals(Status.ZX_ERR_NOT_FOUND, redeem(sb, redeemed), "spent");

    // A token left to expire, then presented.
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> zxd.kernel().tokens().size() <= 1);
    assertEquals(Status.ZX_ERR_NOT_FOUND, redeem(sb, expiring));

    // Forged session headers: a near miss of a live session, garbage, and the session of an exited process.
    String forgedSession = a.token.substring(0, 30) + (a.token.charAt(30) == 'x' ? 'y' : 'x') + a.token.substring(31);
    assertUnauthenticated(forgedSession);
    assertUnauthenticated("not-a-token");
    debugOutput.add(describeEverything());
    c.process.exit(ProcessExitRequest.newBuilder().setRetcode(3).build()); // holds nothing; its token is dropped
    assertUnauthenticated(c.token);
    a.event.create(EventCreateRequest.getDefaultInstance());
    a.process.exit(ProcessExitRequest.newBuilder().setRetcode(1).build()); // dies holding handles: logged
    debugOutput.add(describeEverything());
  }

  private static String issue(SocketGrpc.SocketBlockingStub s, int handle, long target) {
    SocketDuplicateForProcessReply r = s.duplicateForProcess(SocketDuplicateForProcessRequest.newBuilder()
        .setHandle(handle).setProcessId(target).build());
    assertEquals(Status.ZX_OK, r.getStatus());
    String token = r.getProtocolInfo().getToken();
    assertEquals(43, token.length());
    return token;
  }

  private static Status redeem(SocketGrpc.SocketBlockingStub s, String token) {
    return s.createFromProtocolInfo(SocketCreateFromProtocolInfoRequest.newBuilder()
        .setProtocolInfo(ProtocolInfo.newBuilder().setToken(token)).build()).getStatus();
  }

  private void assertUnauthenticated(String token) {
    StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
        () -> SocketGrpc.newBlockingStub(as(token)).create(SocketCreateRequest.getDefaultInstance()));
    assertEquals(io.grpc.Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
    assertFalse(String.valueOf(e.getStatus().getDescription()).contains(token), "the refusal echoes the token");
  }

  /** Everything Debug can say about the current state, as text. */
  private String describeEverything() {
    DebugGrpc.DebugBlockingStub debug = DebugGrpc.newBlockingStub(channel);
    StringBuilder sb = new StringBuilder();
    sb.append(debug.stats(DebugStatsRequest.getDefaultInstance()));
    var processes = debug.listProcesses(DebugListProcessesRequest.getDefaultInstance());
    sb.append(processes);
    for (var p : processes.getProcessesList()) {
      var handles = debug.listHandles(DebugListHandlesRequest.newBuilder().setProcessId(p.getProcessId()).build());
      sb.append(handles);
      for (var h : handles.getHandlesList()) {
        sb.append(debug.describeObject(DebugDescribeObjectRequest.newBuilder().setKoid(h.getKoid()).build()));
      }
    }
    assertNotNull(sb);
    return sb.toString();
  }
}
