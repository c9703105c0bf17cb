package dev.zxd.cli;

import dev.zxd.proto.v1.DebugDescribeObjectReply;
import dev.zxd.proto.v1.DebugDescribeObjectRequest;
import dev.zxd.proto.v1.Status;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code zxctl object KOID}: one kernel object. */
@Command(name = "object", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Describes one kernel object: handles, signals, peer, queue, waits.",
    description = {
        "",
        "What the daemon knows of the object KOID:",
        "  koid, type   and name (processes and VMOs have one)",
        "  handles      handles to it anywhere: in handle tables, in messages in",
        "               flight, in share slots and protocol-info tokens",
        "  signals      the asserted signals, in hex and by name",
        "  peer         the peer's koid (channel, socket, eventpair, FIFO) and whether",
        "               the peer is alive; for other types: related, the related koid",
        "  queued       messages (packets, elements) and bytes waiting to be read",
        "               there; for a VMO: committed, its committed bytes",
        "  pending waits",
        "               wait_one, wait_many items, async waits and channel calls",
        "               registered on it",
        "",
        "An unknown or destroyed KOID fails with ZX_ERR_NOT_FOUND (exit status 1). With --json: the "
            + "DebugDescribeObjectReply of the Debug API, in proto3 JSON.",
        ""},
    footer = {"", "Examples:", "  zxctl object 1027", "  zxctl object 1027 --json"})
final class ObjectCommand extends DebugCommand {
  private static final java.util.Set<String> PEERED = java.util.Set.of("channel", "socket", "eventpair", "fifo");

  @Parameters(index = "0", paramLabel = "KOID", description = "The object's koid (the KOID column of zxctl "
      + "handles).")
  long koid;

  @Override
  int run(DebugConnection connection, PrintWriter out) {
    DebugDescribeObjectReply d = connection.call()
        .describeObject(DebugDescribeObjectRequest.newBuilder().setKoid(koid).build());
    if (d.getStatus() == Status.ZX_ERR_NOT_FOUND) {
      throw failure("no object " + Long.toUnsignedString(koid) + " (ZX_ERR_NOT_FOUND): it never existed or "
          + "has been destroyed");
    }
    if (d.getStatus() != Status.ZX_OK) {
      throw failure("describing object " + Long.toUnsignedString(koid) + " failed: "
          + Fmt.status(d.getStatusValue()));
    }
    if (output.json) {
      out.println(json(d, JSON));
      return 0;
    }
    String type = d.getTypeName();
    Table t = Table.keyValue()
        .row("koid", Long.toUnsignedString(d.getKoid()))
        .row("type", Fmt.text(type))
        .row("name", Fmt.text(d.getName()))
        .row("handles", d.getHandleCount())
        .row("signals", Fmt.signals(d.getSignals(), type));
    if (PEERED.contains(type)) {
      t.row("peer", d.getRelatedKoid() == 0 ? "-"
          : Long.toUnsignedString(d.getRelatedKoid()) + (d.getPeerAlive() ? " (alive)" : " (closed)"));
    } else {
      t.row("related", Fmt.koid(d.getRelatedKoid()));
    }
    t.row(type.equals("vmo") ? "committed" : "queued", queued(type, d.getQueuedMessages(), d.getQueuedBytes()))
        .row("pending waits", d.getPendingWaits())
        .print(out);
    return 0;
  }

  private static String queued(String type, long messages, long bytes) {
    switch (type) {
      case "socket":
      case "vmo":
        return Fmt.count(bytes, "byte");
      case "port":
        return Fmt.count(messages, "packet");
      case "fifo":
        return Fmt.count(messages, "element") + ", " + Fmt.count(bytes, "byte");
      default:
        return Fmt.count(messages, "message") + ", " + Fmt.count(bytes, "byte");
    }
  }
}
