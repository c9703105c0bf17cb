package dev.zxd.cli;

import dev.zxd.proto.v1.DebugListHandlesReply;
import dev.zxd.proto.v1.DebugListHandlesRequest;
import dev.zxd.proto.v1.HandleSummary;
import dev.zxd.proto.v1.Status;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code zxctl handles PID}: one process's handle table. */
@Command(name = "handles", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Lists the handle table of one process.",
    description = {
        "",
        "One row per handle of process PID:",
        "  HANDLE   the handle value, as that process sees it",
        "  TYPE     the object's type (channel, event, socket, ...)",
        "  KOID     the object's koid (see zxctl object KOID)",
        "  RIGHTS   the handle's rights mask",
        "  RELATED  the related koid: the peer of a channel, socket, eventpair or FIFO",
        "  ORIGIN   the syscall that made this handle (zx_channel_create, ...)",
        "",
        "An unknown or dead PID fails with ZX_ERR_NOT_FOUND (exit status 1). With --json: the "
            + "DebugListHandlesReply of the Debug API, in proto3 JSON.",
        ""},
    footer = {"", "Examples:", "  zxctl handles 1024", "  zxctl handles 1024 --json"})
final class HandlesCommand extends DebugCommand {
  @Parameters(index = "0", paramLabel = "PID", description = "The process's koid (the PID column of zxctl ps).")
  long pid;

  @Override
  int run(DebugConnection connection, PrintWriter out) {
    DebugListHandlesReply reply = connection.call()
        .listHandles(DebugListHandlesRequest.newBuilder().setProcessId(pid).build());
    if (reply.getStatus() == Status.ZX_ERR_NOT_FOUND) {
      throw failure("no process " + Long.toUnsignedString(pid) + " (ZX_ERR_NOT_FOUND): it does not exist or "
          + "has died; zxctl ps lists the live ones");
    }
    if (reply.getStatus() != Status.ZX_OK) {
      throw failure("listing the handles of process " + Long.toUnsignedString(pid) + " failed: "
          + Fmt.status(reply.getStatusValue()));
    }
    if (output.json) {
      out.println(json(reply, JSON));
      return 0;
    }
    Table table = new Table("HANDLE", "TYPE", "KOID", "RIGHTS", "RELATED", "ORIGIN");
    for (HandleSummary h : reply.getHandlesList()) {
      table.row(Fmt.handle(h.getHandle()), Fmt.text(h.getTypeName()), Long.toUnsignedString(h.getKoid()),
          Fmt.mask(h.getRights()), Fmt.koid(h.getRelatedKoid()), Fmt.text(h.getOrigin()));
    }
    table.print(out);
    return 0;
  }
}
