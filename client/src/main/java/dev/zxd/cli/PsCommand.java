package dev.zxd.cli;

import dev.zxd.proto.v1.DebugListProcessesReply;
import dev.zxd.proto.v1.DebugListProcessesRequest;
import dev.zxd.proto.v1.ProcessSummary;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code zxctl ps}: every live process. */
@Command(name = "ps", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Lists every live process: state, handle count, parent, lease.",
    description = {
        "",
        "One row per process:",
        "  PID        the process's koid",
        "  NAME       its name",
        "  STATE      NEW (created, not started), RUNNING or DEAD",
        "  HANDLES    handles in its table",
        "  PARENT     the koid of the process that created it (- for a top-level process)",
        "  KEEPALIVE  open KeepAlive streams from its client",
        "  LEASE      held (a KeepAlive stream holds it), or the time it has left",
        "             unless its client calls (the grace period once its streams broke)",
        "  AGE        time since it was created",
        "",
        "With --json: the DebugListProcessesReply of the Debug API, in proto3 JSON (times are the daemon's "
            + "monotonic nanoseconds; a held lease expires at INT64_MAX).",
        ""},
    footer = {"", "Examples:", "  zxctl ps", "  zxctl ps --json --target unix:/tmp/zxd.sock"})
final class PsCommand extends DebugCommand {
  @Override
  int run(DebugConnection connection, PrintWriter out) {
    DebugListProcessesReply reply = connection.call()
        .listProcesses(DebugListProcessesRequest.getDefaultInstance());
    if (output.json) {
      out.println(json(reply, JSON));
      return 0;
    }
    long now = connection.now();
    Table table = new Table("PID", "NAME", "STATE", "HANDLES", "PARENT", "KEEPALIVE", "LEASE", "AGE");
    for (ProcessSummary p : reply.getProcessesList()) {
      table.row(Long.toUnsignedString(p.getProcessId()), Fmt.text(p.getName()), p.getState(),
          p.getHandleCount(), Fmt.koid(p.getParentId()), p.getKeepAliveStreams(),
          Fmt.lease(p.getLeaseExpiresAt(), now), Fmt.duration(Math.max(0, now - p.getCreatedAt())));
    }
    table.print(out);
    return 0;
  }
}
