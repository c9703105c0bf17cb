package dev.zxd.cli;

import dev.zxd.proto.v1.DebugStatsReply;
import dev.zxd.proto.v1.DebugStatsRequest;
import java.io.PrintWriter;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;

/** {@code zxctl stats}: daemon-wide counts and settings. */
@Command(name = "stats", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Shows daemon-wide counts and the settings in force.",
    description = {
        "",
        "Live processes, kernel objects (in all and by type), handles in all handle tables, protocol-info "
            + "tokens outstanding, memory held in objects (VMO pages), pending timers (the daemon's internal "
            + "deadlines included), the daemon's uptime; then every daemon setting in force (limits, lease, "
            + "grace period, ...; the admin token only as (set) or (none)).",
        "",
        "With --json: the DebugStatsReply of the Debug API, in proto3 JSON (uptime and cpu_time in nanoseconds).",
        ""},
    footer = {"", "Examples:", "  zxctl stats", "  zxctl stats --json"})
final class StatsCommand extends DebugCommand {
  @Override
  int run(DebugConnection connection, PrintWriter out) {
    DebugStatsReply s = connection.call().stats(DebugStatsRequest.getDefaultInstance());
    if (output.json) {
      out.println(json(s, JSON));
      return 0;
    }
    Table t = Table.keyValue()
        .row("processes", s.getProcesses())
        .row("objects", s.getObjects());
    for (Map.Entry<String, Long> e : new TreeMap<>(s.getObjectsByTypeMap()).entrySet()) {
      t.row("  " + e.getKey(), e.getValue());
    }
    t.row("handles", s.getHandles())
        .row("tokens outstanding", s.getTokensOutstanding())
        .row("memory used", Fmt.bytes(s.getMemoryBudgetUsedBytes()))
        .row("pending timers", s.getPendingTimers())
        .row("uptime", Fmt.duration(s.getUptime()))
        .row("cpu time", s.getCpuTime() == 0 ? "unknown" : Fmt.duration(s.getCpuTime()));
    if (s.getSettingsCount() == 0) {
      t.row("settings", "(none reported)");
    } else {
      t.row("settings", "");
      // In the daemon's order: its documented list.
      for (Map.Entry<String, String> e : s.getSettingsMap().entrySet()) {
        t.row("  " + e.getKey(), Fmt.setting(e.getValue()));
      }
    }
    t.print(out);
    return 0;
  }
}
