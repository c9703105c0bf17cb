package dev.zxd.cli;

import dev.zxd.proto.v1.DebugDescribeObjectReply;
import dev.zxd.proto.v1.DebugDescribeObjectRequest;
import dev.zxd.proto.v1.DebugTraceRequest;
import dev.zxd.proto.v1.Status;
import dev.zxd.proto.v1.TraceEvent;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code zxctl trace [PID]}: the syscall trace, live. */
@Command(name = "trace", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Streams the syscall trace, of one process or all, live.",
    description = {
        "",
        "One line per syscall of process PID (of every process when PID is omitted), in the order the kernel "
            + "executed them (a channel write comes before the read that received its message):",
        "  SEQUENCE TIME PID SYSCALL STATUS ARGUMENTS +CREATED -CONSUMED",
        "TIME is the daemon's monotonic clock in milliseconds. PID is - for calls without a session "
            + "(Process/Create of a top-level process, Clock/GetMonotonic). ARGUMENTS are the request's fields "
            + "(handles in hex, bytes by length). +0x... are the handle values the call made in the caller's "
            + "table, -0x... the ones it took out of it (closed, or moved into a message).",
        "",
        "The trace starts now (no history) and runs until Ctrl-C, --count events or --duration. A reader that "
            + "falls behind loses events rather than slowing the kernel: a line \"... N events lost\" says how "
            + "many were lost there.",
        "",
        "With --json: one TraceEvent of the Debug API per line, in proto3 JSON (droppedBefore: the events "
            + "lost just before it).",
        ""},
    footer = {"", "Examples:",
        "  zxctl trace                               every syscall, until Ctrl-C",
        "  zxctl trace 1024 --count 10               the next 10 syscalls of process 1024",
        "  zxctl trace --duration 5s --json > t.jsonl"})
final class TraceCommand extends DebugCommand {
  @Parameters(index = "0", arity = "0..1", paramLabel = "PID", defaultValue = "0",
      description = "Trace only this process (its koid, the PID column of zxctl ps); omitted: every process.")
  long pid;

  @Option(names = "--count", paramLabel = "N", description = "Stop after N events.")
  Long count;

  @Option(names = "--duration", paramLabel = "D", converter = DurationConverter.class,
      description = "Stop after D: 500ms, 10s, 1.5m, 2h, or ISO-8601 (PT10S).")
  Duration duration;

  private final Object lock = new Object();
  private Context.CancellableContext running; // guarded by lock
  private boolean stopped; // guarded by lock

  /** Ends a running trace as --count would (for embedding and tests); the command then returns 0. */
  void stop() {
    synchronized (lock) {
      stopped = true;
      if (running != null) {
        running.cancel(null);
      }
    }
  }

  @Override
  void validate() {
    if (count != null && count <= 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--count must be at least 1, not " + count);
    }
  }

  @Override
  int run(DebugConnection connection, PrintWriter out) {
    if (pid != 0) {
      requireProcess(connection);
    }
    Context.CancellableContext context = Context.current().withCancellation();
    synchronized (lock) {
      if (stopped) {
        return 0;
      }
      running = context;
    }
    Context previous = context.attach();
    try {
      stream(connection, out);
      return 0;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == io.grpc.Status.Code.CANCELLED && isStopped()) {
        return 0;
      }
      if (e.getStatus().getCode() == io.grpc.Status.Code.DEADLINE_EXCEEDED && duration != null) {
        return 0; // --duration is the stream's deadline
      }
      if (e.getStatus().getCode() == io.grpc.Status.Code.CANCELLED
          || e.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE) {
        // The connection worked (we connected and asked); the daemon went away while we listened.
        String detail = e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription();
        throw new Zxctl.Failure(Zxctl.EXIT_UNREACHABLE, "the daemon at " + target.target + " ended the trace ("
            + e.getStatus().getCode() + detail + "); has it stopped?");
      }
      throw e;
    } finally {
      context.detach(previous);
      context.cancel(null); // ends the call when we stop early (--count)
      out.flush();
    }
  }

  private boolean isStopped() {
    synchronized (lock) {
      return stopped;
    }
  }

  private void stream(DebugConnection connection, PrintWriter out) {
    var stub = connection.stream();
    if (duration != null) {
      stub = stub.withDeadlineAfter(duration.toNanos(), TimeUnit.NANOSECONDS);
    }
    Iterator<TraceEvent> events = stub.trace(DebugTraceRequest.newBuilder().setProcessId(pid).build());
    long shown = 0;
    while ((count == null || shown < count) && events.hasNext()) {
      TraceEvent e = events.next();
      if (output.json) {
        out.println(json(e, JSON_LINE));
      } else {
        if (e.getDroppedBefore() > 0) {
          out.println(lost(e.getDroppedBefore()));
        }
        out.println(line(e));
      }
      out.flush();
      shown++;
    }
    if ((count == null || shown < count) && !isStopped()) {
      // The daemon completed the stream itself: it does so when it shuts down.
      throw new Zxctl.Failure(Zxctl.EXIT_UNREACHABLE, "the daemon at " + target.target
          + " ended the trace (it is shutting down)");
    }
  }

  /** A trace of a koid that is no process would wait forever for nothing: refuse it. */
  private void requireProcess(DebugConnection connection) {
    DebugDescribeObjectReply d = connection.call()
        .describeObject(DebugDescribeObjectRequest.newBuilder().setKoid(pid).build());
    if (d.getStatus() == Status.ZX_ERR_NOT_FOUND) {
      throw failure("no process " + Long.toUnsignedString(pid) + " (ZX_ERR_NOT_FOUND): it does not exist or "
          + "has died; zxctl ps lists the live ones");
    }
    if (d.getStatus() == Status.ZX_OK && !d.getTypeName().equals("process")) {
      throw failure("koid " + Long.toUnsignedString(pid) + " is a " + d.getTypeName() + ", not a process");
    }
  }

  static String lost(long n) {
    return "... " + n + (n == 1 ? " event" : " events") + " lost";
  }

  /** One event for people: {@code 17  1523.114ms  1024  Channel/Write  ZX_OK  handle=0x... -0x...}. */
  static String line(TraceEvent e) {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%7d %13s  %-6s %-24s %-20s",
        e.getSequence(), String.format(Locale.ROOT, "%.3fms", e.getTime() / 1e6), Fmt.koid(e.getProcessId()),
        Fmt.printable(e.getSyscall()), Fmt.status(e.getStatusValue())));
    // ARGUMENTS, then two blanks, then the handles; with no arguments the handles take their place.
    String separator = " ";
    if (!e.getArguments().isEmpty()) {
      sb.append(separator).append(Fmt.printable(e.getArguments()));
      separator = "  ";
    }
    for (int h : e.getHandlesCreatedList()) {
      sb.append(separator).append('+').append(Fmt.handle(h));
      separator = " ";
    }
    for (int h : e.getHandlesConsumedList()) {
      sb.append(separator).append('-').append(Fmt.handle(h));
      separator = " ";
    }
    int end = sb.length();
    while (end > 0 && sb.charAt(end - 1) == ' ') {
      end--;
    }
    return sb.substring(0, end);
  }

  /** {@code 500ms}, {@code 10s}, {@code 1.5m}, {@code 2h}, or ISO-8601 ({@code PT10S}); positive. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|ms|s|m|h)");

    @Override
    public Duration convert(String text) {
      Duration d;
      Matcher m = SIMPLE.matcher(text.trim().toLowerCase(Locale.ROOT));
      if (m.matches()) {
        long unitNanos = switch (m.group(2)) {
          case "ns" -> 1L;
          case "us" -> 1_000L;
          case "ms" -> 1_000_000L;
          case "s" -> 1_000_000_000L;
          case "m" -> 60_000_000_000L;
          default -> 3_600_000_000_000L;
        };
        d = Duration.ofNanos(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitNanos)).longValue());
      } else {
        try {
          d = Duration.parse(text.trim());
        } catch (DateTimeParseException e) {
          throw new CommandLine.TypeConversionException("'" + text + "' is not a duration (500ms, 10s, 1.5m, "
              + "2h, PT10S)");
        }
      }
      if (d.isNegative() || d.isZero()) {
        throw new CommandLine.TypeConversionException("'" + text + "' is not a positive duration");
      }
      return d;
    }
  }
}
