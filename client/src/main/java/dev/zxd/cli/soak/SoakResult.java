package dev.zxd.cli.soak;

import com.google.gson.JsonObject;
import dev.zxd.cli.bench.BenchCommand;
import dev.zxd.proto.v1.DebugStatsReply;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a soak run found: the figures, every check, and the verdict; as a listing and as JSON. */
final class SoakResult {
  private final Soak.Config config;
  private final String target;
  private final SequenceChecker.Totals totals;
  private final DaemonAudit.Leaks leaks;
  private final DebugStatsReply before;
  private final SoakCommand.HeapSampler heap;
  private final double seconds;
  private final double setupSeconds;
  private final double runSeconds;
  private final double drainSeconds;
  private final long writes;
  private final long moves;
  private final long shares;
  private final long tokens;
  private final long peerClosedSeen;
  private final long peerClosedMissing;
  private final long linksRetired;
  private final long joins;
  private final long exits;
  private final long forcedExits;
  private final int peakProcesses;
  private final boolean runFailed;
  private final List<String> problems = new ArrayList<>();

  SoakResult(Soak.Config config, String target, Soak soak, SequenceChecker.Totals totals, DaemonAudit.Leaks leaks,
      DebugStatsReply before, SoakCommand.HeapSampler heap, double seconds) {
    this.config = config;
    this.target = target;
    this.totals = totals;
    this.leaks = leaks;
    this.before = before;
    this.heap = heap;
    this.seconds = seconds;
    this.setupSeconds = soak.setupNanos / 1e9;
    this.runSeconds = soak.runNanos / 1e9;
    this.drainSeconds = soak.drainNanos / 1e9;
    this.writes = soak.writes.get();
    this.moves = soak.moves.get();
    this.shares = soak.shares.get();
    this.tokens = soak.tokens.get();
    this.peerClosedSeen = soak.peerClosedSeen.get();
    this.peerClosedMissing = soak.peerClosedMissing.get();
    this.linksRetired = soak.linksRetired.get();
    this.joins = soak.joins;
    this.exits = soak.exits;
    this.forcedExits = soak.forcedExits;
    this.peakProcesses = soak.peakProcesses;
    this.runFailed = soak.failure() != null;
    problems.addAll(soak.problems());
    problems.addAll(soak.checker.examples());
    problems.addAll(leaks.examples());
  }

  boolean passed() {
    return !runFailed && totals.violations() == 0 && peerClosedMissing == 0 && leaks.total() == 0
        && forcedExits == 0;
  }

  /** Over the running and draining phases (setup sends only the launcher's bootstrap messages). */
  double messagesPerSecond() {
    double t = runSeconds + drainSeconds;
    return t > 0 ? totals.received() / t : 0;
  }

  private Map<String, Object> rows() {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("result", passed() ? "PASS" : "FAIL");
    r.put("time", String.format("%.1f s: setup %.1f s, run %.1f s, drain and exit %.1f s", seconds, setupSeconds,
        runSeconds, drainSeconds));
    r.put("processes", String.format("%d at once, peak %d; %d joined, %d exited%s", config.processes(),
        peakProcesses, joins, exits, forcedExits > 0 ? " (" + forcedExits + " by force)" : ""));
    r.put("messages sent", String.format("%,d (accepted by the daemon, on %,d streams)", totals.sent(),
        totals.streams()));
    r.put("messages received", String.format("%,d", totals.received()));
    r.put("messages/s", String.format("%,.0f", messagesPerSecond()));
    r.put("lost", totals.lost());
    r.put("duplicated", totals.duplicated());
    r.put("reordered", totals.reordered());
    r.put("unexpected", totals.unexpected());
    r.put("ends moved", String.format("%,d MOVE, %,d share/accept, %,d protocol-info token", moves, shares,
        tokens));
    r.put("links closed", String.format("%,d (PEER_CLOSED seen %,d, missing %d)", linksRetired, peerClosedSeen,
        peerClosedMissing));
    r.put("leaked objects", leaks.objects() + (leaks.byType().isEmpty() ? "" : " " + leaks.byType()) + " (of "
        + String.format("%,d", leaks.koidsChecked()) + " checked)");
    r.put("leaked processes", leaks.processes());
    r.put("daemon count change", String.format("objects %+d, handles %+d, processes %+d, tokens %+d",
        leaks.objectsDelta(), leaks.handlesDelta(), leaks.processesDelta(), leaks.tokensDelta()));
    if (heap.enabled()) {
      r.put("daemon heap", heap.maxUsed < 0 ? "unavailable: " + heap.error
          : String.format("%.0f MiB used at most, %.0f MiB at the end (%.0f MiB committed)", heap.maxUsed / 1048576,
              heap.lastUsed / 1048576, heap.lastCommitted / 1048576));
    }
    r.put("seed", config.seed());
    return r;
  }

  void print(PrintWriter out) {
    Map<String, Object> rows = rows();
    int width = rows.keySet().stream().mapToInt(String::length).max().orElse(0) + 2;
    rows.forEach((k, v) -> out.println(k + " ".repeat(width - k.length()) + v));
    if (!problems.isEmpty()) {
      out.println("problems:");
      problems.forEach(p -> out.println("  " + p));
    }
  }

  String json() {
    JsonObject o = new JsonObject();
    o.addProperty("command", "soak");
    o.addProperty("passed", passed());
    JsonObject params = new JsonObject();
    params.addProperty("processes", config.processes());
    params.addProperty("duration_seconds", config.durationNanos() / 1e9);
    params.addProperty("concurrency", config.lanes());
    params.addProperty("window", config.window());
    params.addProperty("move_chance", config.moveChance());
    params.addProperty("churn_seconds", config.churnEveryNanos() / 1e9);
    params.addProperty("seed", config.seed());
    o.add("parameters", params);
    o.addProperty("target", target);
    JsonObject machine = new JsonObject();
    BenchCommand.machine().forEach((k, v) -> machine.addProperty(k, String.valueOf(v)));
    o.add("machine", machine);
    o.addProperty("seconds", seconds);
    o.addProperty("setup_seconds", setupSeconds);
    o.addProperty("run_seconds", runSeconds);
    o.addProperty("drain_seconds", drainSeconds);
    JsonObject procs = new JsonObject();
    procs.addProperty("peak", peakProcesses);
    procs.addProperty("joined", joins);
    procs.addProperty("exited", exits);
    procs.addProperty("exited_by_force", forcedExits);
    o.add("processes", procs);
    JsonObject m = new JsonObject();
    m.addProperty("streams", totals.streams());
    m.addProperty("sent", totals.sent());
    m.addProperty("received", totals.received());
    m.addProperty("per_second", messagesPerSecond());
    m.addProperty("writes", writes);
    m.addProperty("lost", totals.lost());
    m.addProperty("duplicated", totals.duplicated());
    m.addProperty("reordered", totals.reordered());
    m.addProperty("unexpected", totals.unexpected());
    o.add("messages", m);
    JsonObject h = new JsonObject();
    h.addProperty("moves", moves);
    h.addProperty("shares", shares);
    h.addProperty("tokens", tokens);
    o.add("handoffs", h);
    JsonObject pc = new JsonObject();
    pc.addProperty("links_closed", linksRetired);
    pc.addProperty("seen", peerClosedSeen);
    pc.addProperty("missing", peerClosedMissing);
    o.add("peer_closed", pc);
    JsonObject l = new JsonObject();
    l.addProperty("objects", leaks.objects());
    JsonObject byType = new JsonObject();
    leaks.byType().forEach(byType::addProperty);
    l.add("objects_by_type", byType);
    l.addProperty("processes", leaks.processes());
    l.addProperty("koids_checked", leaks.koidsChecked());
    l.addProperty("objects_delta", leaks.objectsDelta());
    l.addProperty("handles_delta", leaks.handlesDelta());
    l.addProperty("processes_delta", leaks.processesDelta());
    l.addProperty("tokens_delta", leaks.tokensDelta());
    l.addProperty("objects_before", before.getObjects());
    l.addProperty("handles_before", before.getHandles());
    o.add("leaks", l);
    if (heap.enabled()) {
      JsonObject d = new JsonObject();
      d.addProperty("heap_used_max_bytes", heap.maxUsed);
      d.addProperty("heap_used_end_bytes", heap.lastUsed);
      d.addProperty("heap_committed_end_bytes", heap.lastCommitted);
      o.add("daemon", d);
    }
    o.add("problems", SoakCommand.array(problems));
    return SoakCommand.pretty(o);
  }
}
