package dev.zxd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import dev.zxd.client.Channel;
import dev.zxd.client.Event;
import dev.zxd.client.Handle;
import dev.zxd.client.Message;
import dev.zxd.client.ProcessHandle;
import dev.zxd.client.ZxProcess;
import dev.zxd.client.Zxd;
import dev.zxd.proto.v1.DebugDescribeObjectReply;
import dev.zxd.proto.v1.DebugListHandlesReply;
import dev.zxd.proto.v1.DebugListProcessesReply;
import dev.zxd.proto.v1.DebugStatsReply;
import dev.zxd.proto.v1.HandleSummary;
import dev.zxd.proto.v1.InfoHandleBasic;
import dev.zxd.proto.v1.ProcessSummary;
import dev.zxd.proto.v1.Right;
import dev.zxd.proto.v1.Signal;
import dev.zxd.proto.v1.Status;
import dev.zxd.proto.v1.TraceEvent;
import dev.zxd.testing.ZxdExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * zxctl against a daemon running in this JVM, over a real loopback socket: a known scenario is built with the
 * Java client, and every command must print exactly it, as a table and as JSON.
 */
class ZxctlTest {
  @RegisterExtension
  static final ZxdExtension ZXD = ZxdExtension.tcp();

  /** One trace line: sequence, time, pid, syscall, status, then the arguments and handles. */
  private static final Pattern TRACE_LINE =
      Pattern.compile("^\\s*(\\d+)\\s+(\\d+\\.\\d{3})ms\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)(?:\\s+(.*))?$");

  private Zxd a;
  private Zxd b;
  private Scenario s;

  /**
   * alpha (top level) made beta (started with one end of a bootstrap channel, attached on a second connection)
   * and gamma (created, never started or attached); alpha holds the other bootstrap end and an event with
   * ZX_USER_SIGNAL_0 set, and sent a duplicate of the event (WAIT|TRANSFER) with "hello" to beta, unread.
   */
  private record Scenario(ZxProcess alpha, ZxProcess beta, ProcessHandle.Child betaChild,
      ProcessHandle.Child gammaChild, Channel.Pair boot, Channel betaEnd, Event event) {}

  @BeforeEach
  void scenario() {
    a = Zxd.connect(ZXD.target());
    b = Zxd.connect(ZXD.target());
    ZxProcess alpha = a.createProcess("alpha");
    ProcessHandle.Child betaChild = alpha.createChild("beta");
    ProcessHandle.Child gammaChild = alpha.createChild("gamma");
    ZxProcess beta = b.attach(betaChild.sessionToken());
    Channel.Pair boot = alpha.createChannel();
    betaChild.handle().start(boot.end1());
    Channel betaEnd = beta.startupInfo().arg1().as(Channel.class);
    Event event = alpha.createEvent();
    event.signal(0, Signal.ZX_USER_SIGNAL_0_VALUE);
    boot.end0().write("hello", event.duplicate(Right.ZX_RIGHT_WAIT_VALUE | Right.ZX_RIGHT_TRANSFER_VALUE));
    s = new Scenario(alpha, beta, betaChild, gammaChild, boot, betaEnd, event);
  }

  @AfterEach
  void close() {
    b.close();
    a.close();
  }

  private String target() {
    return ZXD.target();
  }

  @Test
  void psShowsEveryProcessWithItsStateHandlesParentAndLease() {
    Cli.Result r = Cli.run("ps", "--target", target()).ok();
    List<Map<String, String>> rows = Cli.table(r.out());
    assertEquals(List.of("PID", "NAME", "STATE", "HANDLES", "PARENT", "KEEPALIVE", "LEASE", "AGE"),
        List.copyOf(rows.get(0).keySet()));
    assertEquals(3, rows.size(), r.out());
    String alpha = String.valueOf(s.alpha().koid());
    assertRow(rows.get(0), alpha, "alpha", "RUNNING", "4", "-", "1", "held");
    assertRow(rows.get(1), String.valueOf(s.betaChild().processId()), "beta", "RUNNING", "1", alpha, "1", "held");
    Map<String, String> gamma = rows.get(2);
    assertRow(gamma, String.valueOf(s.gammaChild().processId()), "gamma", "NEW", "0", alpha, "0",
        gamma.get("LEASE"));
    // Never attached: it lives for the lease (30 s by default) after its creation, unless someone calls as it.
    Matcher left = Pattern.compile("(\\d+)\\.(\\d{3})s left").matcher(gamma.get("LEASE"));
    assertTrue(left.matches(), gamma.get("LEASE"));
    assertTrue(Integer.parseInt(left.group(1)) < 30, gamma.get("LEASE"));
    for (Map<String, String> row : rows) {
      assertTrue(row.get("AGE").matches("\\d+ms|\\d+\\.\\d{3}s"), row.get("AGE"));
    }
  }

  private static void assertRow(Map<String, String> row, String pid, String name, String state, String handles,
      String parent, String keepAlive, String lease) {
    assertEquals(List.of(pid, name, state, handles, parent, keepAlive, lease),
        List.of(row.get("PID"), row.get("NAME"), row.get("STATE"), row.get("HANDLES"), row.get("PARENT"),
            row.get("KEEPALIVE"), row.get("LEASE")), row.toString());
  }

  @Test
  void psJsonIsTheListProcessesReply() throws Exception {
    Cli.Result r = Cli.run("ps", "--json", "--target", target()).ok();
    DebugListProcessesReply.Builder reply = DebugListProcessesReply.newBuilder();
    JsonFormat.parser().merge(r.out(), reply);
    List<ProcessSummary> ps = reply.getProcessesList();
    assertEquals(3, ps.size(), r.out());
    assertEquals(List.of(s.alpha().koid(), s.betaChild().processId(), s.gammaChild().processId()),
        ps.stream().map(ProcessSummary::getProcessId).toList());
    assertEquals(List.of("alpha", "beta", "gamma"), ps.stream().map(ProcessSummary::getName).toList());
    assertEquals(List.of("RUNNING", "RUNNING", "NEW"), ps.stream().map(ProcessSummary::getState).toList());
    assertEquals(List.of(4, 1, 0), ps.stream().map(ProcessSummary::getHandleCount).toList());
    assertEquals(List.of(0L, s.alpha().koid(), s.alpha().koid()),
        ps.stream().map(ProcessSummary::getParentId).toList());
    assertEquals(Long.MAX_VALUE, ps.get(0).getLeaseExpiresAt(), "held");
    assertTrue(r.out().contains("\"parentId\": \"0\""), "zero fields are printed too: " + r.out());
  }

  @Test
  void handlesListsTheTableAsEachHandlesBasicInfoSaysWithTheSyscallThatMadeIt() {
    Cli.Result r = Cli.run("handles", String.valueOf(s.alpha().koid()), "--target", target()).ok();
    List<Map<String, String>> rows = Cli.table(r.out());
    assertEquals(List.of("HANDLE", "TYPE", "KOID", "RIGHTS", "RELATED", "ORIGIN"),
        List.copyOf(rows.get(0).keySet()));
    // The daemon sorts by koid: beta and gamma (made first), the channel end, the event.
    List<List<String>> expected = List.of(
        row(s.betaChild().handle(), "process", "zx_process_create"),
        row(s.gammaChild().handle(), "process", "zx_process_create"),
        row(s.boot().end0(), "channel", "zx_channel_create"),
        row(s.event(), "event", "zx_event_create"));
    assertEquals(expected, rows.stream().map(m -> List.copyOf(m.values())).toList(), r.out());

    Cli.Result beta = Cli.run("handles", String.valueOf(s.betaChild().processId()), "--target", target()).ok();
    assertEquals(List.of(row(s.betaEnd(), "channel", "zx_channel_create")),
        Cli.table(beta.out()).stream().map(m -> List.copyOf(m.values())).toList(), beta.out());
    assertEquals(List.of("HANDLE  TYPE  KOID  RIGHTS  RELATED  ORIGIN"),
        Cli.run("handles", String.valueOf(s.gammaChild().processId()), "--target", target()).ok().lines());
  }

  /** The row Debug should show for {@code h}, from the handle's own ZX_INFO_HANDLE_BASIC. */
  private static List<String> row(Handle h, String type, String origin) {
    InfoHandleBasic info = h.basicInfo();
    return List.of(String.format("0x%08x", h.value()), type, String.valueOf(info.getKoid()),
        "0x" + Integer.toHexString(info.getRights()),
        info.getRelatedKoid() == 0 ? "-" : String.valueOf(info.getRelatedKoid()), origin);
  }

  @Test
  void handlesJsonIsTheListHandlesReply() throws Exception {
    Cli.Result r = Cli.run("handles", String.valueOf(s.alpha().koid()), "--json", "--target", target()).ok();
    DebugListHandlesReply.Builder reply = DebugListHandlesReply.newBuilder();
    JsonFormat.parser().merge(r.out(), reply);
    assertEquals(Status.ZX_OK, reply.getStatus());
    List<HandleSummary> hs = reply.getHandlesList();
    assertEquals(List.of(s.betaChild().handle().value(), s.gammaChild().handle().value(),
        s.boot().end0().value(), s.event().value()), hs.stream().map(HandleSummary::getHandle).toList());
    assertEquals(List.of("process", "process", "channel", "event"),
        hs.stream().map(HandleSummary::getTypeName).toList());
    assertEquals(s.event().koid(), hs.get(3).getKoid());
    assertEquals(s.event().rights(), hs.get(3).getRights());
    assertEquals(s.betaEnd().koid(), hs.get(2).getRelatedKoid());
  }

  @Test
  void handlesOfAnUnknownProcessFailsClearly() {
    Cli.Result r = Cli.run("handles", "999999", "--target", target());
    assertEquals(Zxctl.EXIT_ERROR, r.exit());
    assertEquals("", r.out());
    assertEquals("zxctl: no process 999999 (ZX_ERR_NOT_FOUND): it does not exist or has died; zxctl ps lists "
        + "the live ones", r.err().strip());

    Cli.Result json = Cli.run("handles", "999999", "--json", "--target", target());
    assertEquals(Zxctl.EXIT_ERROR, json.exit());
    assertEquals("", json.out(), "no half a document for scripts");

    Cli.Result usage = Cli.run("handles", "alpha", "--target", target());
    assertEquals(Zxctl.EXIT_USAGE, usage.exit());
    assertTrue(usage.err().contains("PID"), usage.err());
  }

  @Test
  void objectDescribesAChannelEndWithItsQueueAndPeer() {
    long end1 = s.betaEnd().koid();
    long end0 = s.boot().end0().koid();
    Cli.Result r = Cli.run("object", String.valueOf(end1), "--target", target()).ok();
    assertEquals(List.of("koid           " + end1,
            "type           channel",
            "name           -",
            "handles        1",
            "signals        0x00000003 (ZX_CHANNEL_READABLE|ZX_CHANNEL_WRITABLE)",
            "peer           " + end0 + " (alive)",
            "queued         1 message, 5 bytes",
            "pending waits  0"),
        r.lines());

    s.boot().end0().close();
    Map<String, String> closed = Cli.keyValues(
        Cli.run("object", String.valueOf(end1), "--target", target()).ok().out());
    assertEquals(end0 + " (closed)", closed.get("peer"));
    assertEquals("0x00000005 (ZX_CHANNEL_READABLE|ZX_CHANNEL_PEER_CLOSED)", closed.get("signals"));
  }

  @Test
  void objectDescribesAnEventAndAProcess() {
    long event = s.event().koid();
    Map<String, String> kv = Cli.keyValues(Cli.run("object", String.valueOf(event), "--target", target()).ok()
        .out());
    assertEquals("event", kv.get("type"));
    assertEquals("2", kv.get("handles"), "alpha's, and the duplicate in the message in flight");
    assertEquals("0x01000000 (ZX_USER_SIGNAL_0)", kv.get("signals"));
    assertEquals("-", kv.get("related"));

    Map<String, String> p = Cli.keyValues(
        Cli.run("object", String.valueOf(s.betaChild().processId()), "--target", target()).ok().out());
    assertEquals("process", p.get("type"));
    assertEquals("beta", p.get("name"));
    assertEquals("1", p.get("handles"), "alpha's process handle");
  }

  @Test
  void objectJsonIsTheDescribeObjectReplyAndAnUnknownKoidFails() throws Exception {
    Cli.Result r = Cli.run("object", String.valueOf(s.betaEnd().koid()), "--json", "--target", target()).ok();
    DebugDescribeObjectReply.Builder d = DebugDescribeObjectReply.newBuilder();
    JsonFormat.parser().merge(r.out(), d);
    assertEquals(s.betaEnd().koid(), d.getKoid());
    assertEquals("channel", d.getTypeName());
    assertEquals(1, d.getQueuedMessages());
    assertEquals(5, d.getQueuedBytes());
    assertEquals(s.boot().end0().koid(), d.getRelatedKoid());
    assertTrue(d.getPeerAlive());

    Cli.Result unknown = Cli.run("object", "999999", "--target", target());
    assertEquals(Zxctl.EXIT_ERROR, unknown.exit());
    assertEquals("zxctl: no object 999999 (ZX_ERR_NOT_FOUND): it never existed or has been destroyed",
        unknown.err().strip());
  }

  @Test
  void statsCountsTheScenario() throws Exception {
    Map<String, String> kv = Cli.keyValues(Cli.run("stats", "--target", target()).ok().out());
    assertEquals("3", kv.get("processes"));
    // 3 processes, the bootstrap channel's 2 ends, the event.
    assertEquals("6", kv.get("objects"));
    assertEquals("3", kv.get("  process"));
    assertEquals("2", kv.get("  channel"));
    assertEquals("1", kv.get("  event"));
    assertEquals("0", kv.get("  socket"));
    assertEquals("5", kv.get("handles"), "alpha 4, beta 1 (the duplicate in flight is in no table)");
    assertEquals("0", kv.get("tokens outstanding"));
    // The one queued message is charged to the budget: 5 payload bytes + 64 + 16 for the handle it carries.
    assertEquals("85 B", kv.get("memory used"));
    // Not asserted exactly: the daemon counts its internal deadlines too (lease checks of earlier tests'
    // processes linger until they would have fired).
    assertTrue(kv.get("pending timers").matches("\\d+"), kv.get("pending timers"));
    assertTrue(kv.get("uptime").matches("\\d+ms|\\d+\\.\\d{3}s|\\d+m\\d\\ds"), kv.get("uptime"));
    // The daemon runs in this JVM, whose CPU time is the whole test run's so far.
    assertTrue(kv.get("cpu time").matches("\\d+ms|\\d+\\.\\d{3}s|\\d+m\\d\\ds"), kv.get("cpu time"));
    assertEquals("(none reported)", kv.get("settings"), "a daemon built without Settings reports none");

    DebugStatsReply.Builder json = DebugStatsReply.newBuilder();
    JsonFormat.parser().merge(Cli.run("stats", "--json", "--target", target()).ok().out(), json);
    assertEquals(3, json.getProcesses());
    assertEquals(6, json.getObjects());
    assertEquals(5, json.getHandles());
    assertEquals(2L, json.getObjectsByTypeOrThrow("channel"));
    assertTrue(json.getCpuTime() > 0, "cpu time " + json.getCpuTime() + " ns");
  }

  @Test
  void traceShowsTheWriteAndThenTheReadThatReceivedItsHandle() throws Exception {
    s.betaEnd().read(); // "hello", sent before the trace
    int sent = s.event().value();
    Cli.awaitNoTraceReader(ZXD.server(), a);
    Cli.Running trace = Cli.start(null, "trace", "--count", "3", "--duration", "20s", "--target", target());
    Cli.awaitTraceReader(ZXD.server(), a); // one Clock/GetMonotonic, of no process, is traced

    s.boot().end0().write("take this", s.event());
    Message m = s.betaEnd().read();
    int received = m.handles().get(0).value();

    Cli.Result r = trace.await().ok();
    List<String> lines = r.lines();
    assertEquals(3, lines.size(), r.out());
    List<Matcher> events = new ArrayList<>();
    for (String line : lines) {
      Matcher e = TRACE_LINE.matcher(line);
      assertTrue(e.matches(), line);
      events.add(e);
    }
    assertEquals(List.of("-", "Clock/GetMonotonic", "ZX_OK"), columns(events.get(0)));
    assertEquals(List.of(String.valueOf(s.alpha().koid()), "Channel/Write", "ZX_OK"), columns(events.get(1)));
    assertEquals(String.format("handle=0x%x bytes=<9 bytes> handles=[0x%x]  -0x%08x",
        s.boot().end0().value(), sent, sent), events.get(1).group(6));
    assertEquals(List.of(String.valueOf(s.betaChild().processId()), "Channel/Read", "ZX_OK"),
        columns(events.get(2)));
    assertTrue(events.get(2).group(6).endsWith(String.format("  +0x%08x", received)), events.get(2).group(6));
    assertKernelOrder(events, r.out());
  }

  @Test
  void traceOfOneProcessAsJsonLines() throws Exception {
    Message hello = s.betaEnd().read();
    int dup = hello.handles().get(0).value();
    long beta = s.betaChild().processId();
    Cli.awaitNoTraceReader(ZXD.server(), a);
    Cli.Running trace = Cli.start(null, "trace", String.valueOf(beta), "--json", "--count", "2",
        "--duration", "20s", "--target", target());
    Cli.awaitTraceReader(ZXD.server(), a); // of no process: not shown

    s.event().signal(Signal.ZX_USER_SIGNAL_0_VALUE, 0); // alpha's: not shown
    hello.handles().get(0).close();
    s.betaEnd().write("bye");

    Cli.Result r = trace.await().ok();
    List<TraceEvent> events = new ArrayList<>();
    for (String line : r.lines()) {
      assertFalse(line.contains("\n") || line.isBlank(), line);
      TraceEvent.Builder e = TraceEvent.newBuilder();
      JsonFormat.parser().merge(line, e);
      events.add(e.build());
    }
    assertEquals(2, events.size(), r.out());
    assertEquals(List.of("Handle/Close", "Channel/Write"), events.stream().map(TraceEvent::getSyscall).toList());
    assertEquals(List.of(beta, beta), events.stream().map(TraceEvent::getProcessId).toList());
    assertEquals(List.of(Status.ZX_OK, Status.ZX_OK), events.stream().map(TraceEvent::getStatus).toList());
    assertEquals(List.of(dup), events.get(0).getHandlesConsumedList());
    assertTrue(events.get(0).getSequence() < events.get(1).getSequence());
    assertEquals(0, events.get(1).getDroppedBefore());
  }

  @Test
  void traceRefusesWhatCannotBeTracedAndStopsAfterItsDuration() {
    Cli.Result unknown = Cli.run("trace", "999999", "--target", target());
    assertEquals(Zxctl.EXIT_ERROR, unknown.exit());
    assertTrue(unknown.err().contains("no process 999999 (ZX_ERR_NOT_FOUND)"), unknown.err());

    Cli.Result channel = Cli.run("trace", String.valueOf(s.betaEnd().koid()), "--target", target());
    assertEquals(Zxctl.EXIT_ERROR, channel.exit());
    assertEquals("zxctl: koid " + s.betaEnd().koid() + " is a channel, not a process", channel.err().strip());

    assertEquals(Zxctl.EXIT_USAGE, Cli.run("trace", "--count", "0", "--target", target()).exit());
    Cli.Result badDuration = Cli.run("trace", "--duration", "soon", "--target", target());
    assertEquals(Zxctl.EXIT_USAGE, badDuration.exit());
    assertTrue(badDuration.err().contains("'soon' is not a duration"), badDuration.err());

    // gamma makes no calls: nothing to show, and the trace ends when its duration is up.
    Cli.Result quiet = Cli.run("trace", String.valueOf(s.gammaChild().processId()), "--duration", "200ms",
        "--target", target()).ok();
    assertEquals("", quiet.out());
  }

  private static List<String> columns(Matcher traceLine) {
    return List.of(traceLine.group(3), traceLine.group(4), traceLine.group(5));
  }

  private static void assertKernelOrder(List<Matcher> events, String out) {
    long previous = -1;
    double previousTime = -1;
    for (Matcher e : events) {
      long seq = Long.parseLong(e.group(1));
      double time = Double.parseDouble(e.group(2));
      assertTrue(seq > previous, "kernel order: " + out);
      assertTrue(time >= previousTime, "monotonic time: " + out);
      previous = seq;
      previousTime = time;
    }
  }

  @Test
  void everyCommandExplainsItselfWithAnExample() {
    Cli.Result top = Cli.run("--help").ok();
    for (String command : List.of("ps", "handles", "object", "trace", "stats", "demo")) {
      assertTrue(top.out().contains("  " + command + " "), command + " listed in:\n" + top.out());
    }
    assertTrue(top.out().contains("Exit status"), top.out());
    for (String command : List.of("ps", "handles", "object", "trace", "stats")) {
      String help = Cli.run(command, "--help").ok().out();
      assertTrue(help.contains("Usage: zxctl " + command), help);
      assertTrue(help.contains("Examples:") && help.contains("  zxctl " + command), help);
      assertTrue(help.contains("--target") && help.contains("--admin-token") && help.contains("--json"), help);
    }
    assertEquals(Cli.run("ps", "--help").out(), Cli.run("help", "ps").out());
  }

  @Test
  void anUnreachableDaemonIsSaidSo() throws Exception {
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    Cli.Result r = Cli.run("ps", "--target", "127.0.0.1:" + port);
    assertEquals(Zxctl.EXIT_UNREACHABLE, r.exit());
    assertTrue(r.err().startsWith("zxctl: cannot reach the daemon at 127.0.0.1:" + port), r.err());
  }

  @Test
  void theDemoStillRuns() {
    Cli.Result r = Cli.run("demo", "--target", target()).ok();
    assertTrue(r.out().endsWith("demo: OK" + System.lineSeparator()), r.out());
  }
}
