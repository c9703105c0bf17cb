package dev.zxd.client.polyglot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.zxd.client.Channel;
import dev.zxd.client.Disposition;
import dev.zxd.client.ProcessHandle;
import dev.zxd.client.ProtocolInfo;
import dev.zxd.client.Socket;
import dev.zxd.client.ZxException;
import dev.zxd.client.ZxProcess;
import dev.zxd.client.Zxd;
import dev.zxd.client.polyglot.OsProcesses.OsProcess;
import dev.zxd.kernel.Kernel;
import dev.zxd.kernel.KernelConfig;
import dev.zxd.proto.v1.ObjType;
import dev.zxd.proto.v1.Right;
import dev.zxd.proto.v1.Signal;
import dev.zxd.proto.v1.SocketOption;
import dev.zxd.proto.v1.Status;
import dev.zxd.testing.ZxdExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Java, Python and Node OS processes as processes of one simulated system (docs/polyglot.md).
 *
 * <p>The topology is a launcher and two launched programs, as a Zircon program manager would set them up:
 * <ul>
 *   <li>Java is the launcher. It makes a child process for each program (Process/Create), starts each with a
 *       bootstrap channel (Process/Start, arg1), and spawns the OS process with {@code ZXD_TARGET} and
 *       {@code ZXD_SESSION} (the child's token) in its environment.</li>
 *   <li>On Python's bootstrap channel it sends a protocol-info token for one end of a socket pair
 *       (WSADuplicateSocket), then the client end of an "echo" service channel; Node gets the service end on
 *       its own bootstrap channel. The launcher routes the capability; the two programs never see each
 *       other's tokens.</li>
 *   <li>Python redeems the token and writes to the socket; it connects to the service by moving the server end
 *       of a fresh channel over the service channel (write_etc, MOVE, fewer rights) and sends a request. Node
 *       reads it and replies; Python relays the reply into the socket; Node reports to the launcher over its
 *       bootstrap channel, and again when its client's end closes.</li>
 * </ul>
 * Both scenarios check everything from Java and end with a daemon holding no object and no process.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CrossLanguageTest {
  static final Duration GRACE = Duration.ofMillis(500);
  static final Duration WAIT = Duration.ofSeconds(20);
  /** The rights Python gives the server end it moves to Node. */
  static final int PIPE_RIGHTS = Right.ZX_RIGHT_READ_VALUE | Right.ZX_RIGHT_WRITE_VALUE
      | Right.ZX_RIGHT_WAIT_VALUE | Right.ZX_RIGHT_INSPECT_VALUE;
  static final int PEER_CLOSED = Signal.ZX_CHANNEL_PEER_CLOSED_VALUE;

  @RegisterExtension
  static final ZxdExtension ZXD = ZxdExtension.tcp().withConfig(KernelConfig.DEFAULTS.withGracePeriod(GRACE));

  @RegisterExtension
  final OsProcesses os = new OsProcesses();

  private static Runtimes runtimes;

  @BeforeAll
  static void findRuntimes() {
    runtimes = Runtimes.require();
  }

  /** What {@link #launch} sets up: the launcher's side of the system, and the two OS processes. */
  private record Launched(ZxProcess launcher, ProcessHandle.Child python, ProcessHandle.Child node,
      Channel pythonBootstrap, Channel nodeBootstrap, Socket socket, OsProcess pythonOs, OsProcess nodeOs) {}

  private Launched launch(Zxd zxd) {
    ZxProcess launcher = zxd.createProcess("java-launcher");
    ProcessHandle.Child python = launcher.createChild("python-relay");
    ProcessHandle.Child node = launcher.createChild("node-echo");
    Channel.Pair pythonBootstrap = launcher.createChannel();
    Channel.Pair nodeBootstrap = launcher.createChannel();
    python.handle().start(pythonBootstrap.end1());
    node.handle().start(nodeBootstrap.end1());

    // Python's socket, handed over WSADuplicateSocket-style: the token travels as bytes on the bootstrap channel.
    Socket.Pair socket = launcher.createSocket(SocketOption.ZX_SOCKET_STREAM_VALUE);
    ProtocolInfo token = socket.end0().duplicateFor(python.processId());
    socket.end0().close(); // the token holds the socket until Python redeems it
    pythonBootstrap.end0().write(token.toBytes());

    // The echo service, routed by the launcher: the client end to Python, the server end to Node.
    Channel.Pair service = launcher.createChannel();
    pythonBootstrap.end0().writeEtc(ByteString.copyFromUtf8("svc:echo"), Disposition.move(service.end0()));
    nodeBootstrap.end0().writeEtc(ByteString.copyFromUtf8("serve:echo"), Disposition.move(service.end1()));

    OsProcess pythonOs = os.start("python3 examples/relay.py",
        List.of(runtimes.python().toString(), "examples/relay.py"), runtimes.pythonPackage(),
        Map.of("ZXD_TARGET", ZXD.target(), "ZXD_SESSION", python.sessionToken(),
            "PYTHONPATH", runtimes.pythonPackage().toString(), "PYTHONUNBUFFERED", "1"));
    OsProcess nodeOs = os.start("node examples/echo_service.js",
        List.of(runtimes.node().toString(), "examples/echo_service.js"), runtimes.nodePackage(),
        Map.of("ZXD_TARGET", ZXD.target(), "ZXD_SESSION", node.sessionToken()));
    return new Launched(launcher, python, node, pythonBootstrap.end0(), nodeBootstrap.end0(), socket.end1(),
        pythonOs, nodeOs);
  }

  /** Everything up to Node's first report, checked from Java: the socket's bytes and what Node received. */
  private void checkConversation(Launched l) {
    long deadline = l.launcher().deadlineAfter(WAIT);
    long py = l.python().processId();
    long node = l.node().processId();
    assertEquals("python " + py + ": hello\n"
            + "python " + py + ": node replied: pong from node " + node + ": ping from python " + py + "\n",
        readLines(l.socket(), 2, deadline), "what Python wrote into the socket it redeemed");

    String served = readReport(l.nodeBootstrap(), deadline);
    assertEquals("served", field(served, "event"), served);
    assertEquals(node, Long.parseLong(field(served, "node")), served);
    assertEquals("ping from python " + py, field(served, "request"), served);
    assertEquals(ObjType.ZX_OBJ_TYPE_CHANNEL_VALUE, Integer.parseInt(field(served, "type")),
        "Node got a channel: " + served);
    assertEquals(PIPE_RIGHTS, Integer.parseInt(field(served, "rights")),
        "Node's end has the rights Python's disposition asked for: " + served);
  }

  /** Scenario 1: the whole conversation, then every process exits cleanly. */
  @Test
  void javaHandsPythonASocketTokenPythonMovesAChannelToNodeAndEveryoneExitsCleanly() throws Exception {
    try (Zxd zxd = Zxd.connect(ZXD.target())) {
      Launched l = launch(zxd);
      checkConversation(l);
      long deadline = l.launcher().deadlineAfter(WAIT);

      // The launcher lets Python go; Python closes its handles and exits.
      l.pythonBootstrap().write("exit");
      assertEquals(0, l.pythonOs().awaitExit(WAIT), "python's exit code");
      l.python().handle().awaitTermination(deadline);
      assertTrue((l.pythonBootstrap().waitOne(PEER_CLOSED, deadline) & PEER_CLOSED) != 0);
      assertTrue((l.socket().waitOne(Signal.ZX_SOCKET_PEER_CLOSED_VALUE, deadline)
          & Signal.ZX_SOCKET_PEER_CLOSED_VALUE) != 0, "Python's end of the socket closed");
      assertStatus(Status.ZX_ERR_PEER_CLOSED, () -> l.socket().read(100));

      // Node sees its client's end close, reports, and exits.
      String closed = readReport(l.nodeBootstrap(), deadline);
      checkPeerClosedReport(closed);
      assertEquals(0, l.nodeOs().awaitExit(WAIT), "node's exit code");
      l.node().handle().awaitTermination(deadline);

      l.launcher().close();
      assertDaemonEmpty();
    }
  }

  /** Scenario 2: Python is SIGKILLed while it holds its handles; the others see PEER_CLOSED after the grace. */
  @Test
  void pythonKilledMidwayJavaAndNodeSeePeerClosedAfterTheGracePeriod() throws Exception {
    try (Zxd zxd = Zxd.connect(ZXD.target())) {
      Launched l = launch(zxd);
      // Python now holds the socket, its bootstrap channel and its connection to Node, waiting for a word.
      checkConversation(l);
      long deadline = l.launcher().deadlineAfter(WAIT);

      long killedAt = System.nanoTime();
      l.pythonOs().kill();
      assertEquals(128 + 9, l.pythonOs().awaitExit(WAIT), "python died of SIGKILL");
      Duration sinceKill = since(killedAt);
      if (sinceKill.compareTo(GRACE.minusMillis(200)) < 0) {
        assertEquals(0, l.pythonBootstrap().signals() & PEER_CLOSED,
            "the daemon keeps a vanished client's process for the grace period (" + sinceKill.toMillis()
                + " ms after the kill)");
      }

      // Java: its bootstrap channel and its socket lose their peer, and the process object says terminated.
      l.pythonBootstrap().waitOne(PEER_CLOSED, deadline);
      Duration javaSaw = since(killedAt);
      l.socket().waitOne(Signal.ZX_SOCKET_PEER_CLOSED_VALUE, deadline);
      l.python().handle().awaitTermination(deadline);
      assertTrue(javaSaw.compareTo(GRACE.minusMillis(50)) >= 0,
          "Java saw PEER_CLOSED " + javaSaw.toMillis() + " ms after the kill, before the grace period");

      // Node: its client's end (and the service channel Python held) lose their peer; it reports and exits.
      String closed = readReport(l.nodeBootstrap(), deadline);
      Duration nodeSaw = since(killedAt);
      checkPeerClosedReport(closed);
      assertTrue(nodeSaw.compareTo(GRACE.minusMillis(50)) >= 0,
          "Node reported PEER_CLOSED " + nodeSaw.toMillis() + " ms after the kill, before the grace period");
      assertEquals(0, l.nodeOs().awaitExit(WAIT), "node's exit code");
      l.node().handle().awaitTermination(deadline);

      l.launcher().close();
      assertDaemonEmpty();
    }
  }

  /** client/python/examples/hello.py, a top-level process on its own, runs to the end. */
  @Test
  void thePythonExampleRuns() throws Exception {
    OsProcess p = os.start("python3 examples/hello.py",
        List.of(runtimes.python().toString(), "examples/hello.py", ZXD.target()), runtimes.pythonPackage(),
        Map.of("PYTHONUNBUFFERED", "1"));
    assertEquals(0, p.awaitExit(WAIT), "hello.py's exit code");
    assertTrue(p.output().contains("hello.py: OK"), p.output());
    assertDaemonEmpty();
  }

  /** client/node/examples/hello.js, a top-level process on its own, runs to the end. */
  @Test
  void theNodeExampleRuns() throws Exception {
    OsProcess p = os.start("node examples/hello.js",
        List.of(runtimes.node().toString(), "examples/hello.js", ZXD.target()), runtimes.nodePackage(), Map.of());
    assertEquals(0, p.awaitExit(WAIT), "hello.js's exit code");
    assertTrue(p.output().contains("hello.js: OK"), p.output());
    assertDaemonEmpty();
  }

  // ---- helpers ----

  private static void checkPeerClosedReport(String report) {
    assertEquals("peer-closed", field(report, "event"), report);
    assertTrue((Integer.parseInt(field(report, "pipe_observed")) & PEER_CLOSED) != 0,
        "Node saw PEER_CLOSED on its client's end: " + report);
    assertTrue((Integer.parseInt(field(report, "svc_observed")) & PEER_CLOSED) != 0,
        "Node saw PEER_CLOSED on the service channel: " + report);
  }

  /** Reads the socket until it has {@code lines} newline-terminated lines. */
  private static String readLines(Socket socket, int lines, long deadline) {
    StringBuilder text = new StringBuilder();
    while (text.chars().filter(c -> c == '\n').count() < lines) {
      socket.waitOne(Signal.ZX_SOCKET_READABLE_VALUE | Signal.ZX_SOCKET_PEER_CLOSED_VALUE, deadline);
      text.append(socket.read(4096).toStringUtf8());
    }
    return text.toString();
  }

  /** The next message on a bootstrap channel, as text. */
  private static String readReport(Channel channel, long deadline) {
    channel.waitOne(Signal.ZX_CHANNEL_READABLE_VALUE | PEER_CLOSED, deadline);
    return channel.read().bytes().toStringUtf8();
  }

  /** A field of a flat JSON object: a string or a number. */
  private static String field(String json, String key) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\":(?:\"((?:[^\"\\\\]|\\\\.)*)\"|(-?\\d+))")
        .matcher(json);
    if (!m.find()) {
      throw new AssertionError("no \"" + key + "\" in " + json);
    }
    return m.group(1) != null ? m.group(1) : m.group(2);
  }

  private static Duration since(long nanoTime) {
    return Duration.ofNanos(System.nanoTime() - nanoTime);
  }

  private static void assertStatus(Status expected, Runnable syscall) {
    try {
      syscall.run();
    } catch (ZxException e) {
      assertEquals(expected, e.status());
      return;
    }
    throw new AssertionError("expected " + expected);
  }

  /** Every process has exited and the daemon holds no kernel object (checked before the extension kills any). */
  private static void assertDaemonEmpty() {
    Kernel kernel = ZXD.kernel();
    try {
      Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
          .until(() -> kernel.processes().size() == 0 && kernel.objects().size() == 0);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("the daemon still holds processes " + kernel.processes().all() + " and objects "
          + kernel.objects().all(), e);
    }
  }
}
