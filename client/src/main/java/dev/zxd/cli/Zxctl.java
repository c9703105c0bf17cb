package dev.zxd.cli;

import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code zxctl}: the command line for a running zxd. */
@Command(name = "zxctl", mixinStandardHelpOptions = true, version = "zxctl 0.1.0",
    description = {
        "Talks to a running zxd daemon: lists its processes and their handles, describes objects, streams the "
            + "syscall trace and shows daemon-wide statistics. Every command prints an aligned table for people, "
            + "or with --json one JSON document (trace: one JSON object per line) for scripts.",
        "",
        "Every command takes --target (default $ZXD_TARGET, else 127.0.0.1:7474). The Debug commands (ps, "
            + "handles, object, trace, stats) also need the daemon's admin token when it has one: --admin-token, "
            + "or better $ZXD_ADMIN_TOKEN (command-line arguments are visible to other users).",
        ""},
    subcommands = {PsCommand.class, HandlesCommand.class, ObjectCommand.class, TraceCommand.class,
        StatsCommand.class, DemoCommand.class, dev.zxd.cli.bench.BenchCommand.class,
        dev.zxd.cli.soak.SoakCommand.class,
        CommandLine.HelpCommand.class},
    footer = {
        "",
        "Examples:",
        "  zxctl ps                                  every process",
        "  zxctl handles 1024                        the handle table of process 1024",
        "  zxctl object 1027                         one object by koid",
        "  zxctl trace 1024 --count 20               the next 20 syscalls of process 1024",
        "  ZXD_TARGET=unix:/tmp/zxd.sock zxctl stats --json",
        "  zxctl bench pingpong --mode stream --concurrency 64 --baseline   load test (see zxctl bench --help)",
        "  zxctl soak --processes 16 --duration 30s  mixed run checking for loss and leaks (zxctl soak --help)",
        "",
        "Exit status:",
        "  0  done",
        "  1  the daemon answered with an error (unknown PID or KOID: ZX_ERR_NOT_FOUND)",
        "  2  bad usage",
        "  3  the daemon cannot be reached (or did not answer in time)",
        "  4  the daemon refused the Debug call: its admin token is missing or wrong"})
public final class Zxctl {
  /** The daemon answered, with an error (ZX_ERR_NOT_FOUND, an unexpected gRPC status, ...). */
  static final int EXIT_ERROR = 1;
  /** Bad command line (picocli's own code). */
  static final int EXIT_USAGE = 2;
  /** No daemon at the target (UNAVAILABLE, no answer in time). */
  static final int EXIT_UNREACHABLE = 3;
  /** The daemon requires an admin token for Debug calls and this one was missing or wrong. */
  static final int EXIT_DENIED = 4;

  /** Connection options every command shares (a picocli mixin). */
  public static final class Target {
    @Option(names = "--target", paramLabel = "ADDRESS", defaultValue = "${env:ZXD_TARGET:-127.0.0.1:7474}",
        description = "The daemon: host:port, [v6]:port or unix:/path (default: $ZXD_TARGET, else "
            + "127.0.0.1:7474; now ${DEFAULT-VALUE}).")
    public String target;

    @Option(names = "--admin-token", paramLabel = "TOKEN", defaultValue = "${env:ZXD_ADMIN_TOKEN}",
        description = "The daemon's admin token, sent in the zx-admin metadata of Debug calls; needed when the "
            + "daemon was started with --admin-token (default: $ZXD_ADMIN_TOKEN).")
    public String adminToken;

    public boolean hasAdminToken() {
      return adminToken != null && !adminToken.isEmpty();
    }
  }

  /** The output choice every Debug command shares. */
  static final class Output {
    @Option(names = "--json", description = "Print JSON for scripts (the Debug API's messages in proto3 JSON "
        + "form) instead of a table.")
    boolean json;
  }

  /** A failure zxctl explains in one line and maps to an exit status. */
  static final class Failure extends RuntimeException {
    final int exitCode;

    Failure(int exitCode, String message) {
      super(message);
      this.exitCode = exitCode;
    }
  }

  public static void main(String[] args) {
    // As in the daemon: Netty's sampled leak tracking takes a stack trace per 128 buffers, which a load
    // generator should not spend. -Dio.netty.leakDetection.level=... turns it back on.
    if (System.getProperty("io.netty.leakDetection.level") == null
        && System.getProperty("io.netty.leakDetectionLevel") == null) {
      io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
    }
    System.exit(run(args));
  }

  static int run(String... args) {
    return newCommandLine().execute(args);
  }

  /** The command line, ready to execute; tests capture its output with {@code setOut} / {@code setErr}. */
  static CommandLine newCommandLine() {
    CommandLine cl = new CommandLine(new Zxctl());
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      PrintWriter err = commandLine.getErr();
      if (e instanceof Failure f) {
        err.println("zxctl: " + f.getMessage());
        err.flush();
        return f.exitCode;
      }
      if (e instanceof StatusRuntimeException sre) {
        Failure f = explain(sre, null, false);
        err.println("zxctl: " + f.getMessage());
        err.flush();
        return f.exitCode;
      }
      throw e;
    });
    return cl;
  }

  /** One clear line for a gRPC failure of a call to the daemon at {@code target}. */
  static Failure explain(StatusRuntimeException e, String target, boolean tokenGiven) {
    io.grpc.Status s = e.getStatus();
    String at = target == null ? "the daemon" : "the daemon at " + target;
    String detail = s.getDescription() == null ? "" : ": " + s.getDescription();
    switch (s.getCode()) {
      case PERMISSION_DENIED:
        return new Failure(EXIT_DENIED, at + " refused the Debug call" + detail + " ("
            + (tokenGiven ? "the admin token given is wrong" : "give its admin token with --admin-token or "
            + "ZXD_ADMIN_TOKEN") + ")");
      case UNAVAILABLE:
        String cause = e.getCause() == null || e.getCause().getMessage() == null ? ""
            : " (" + e.getCause().getMessage() + ")";
        return new Failure(EXIT_UNREACHABLE, "cannot reach " + at + detail + cause);
      case DEADLINE_EXCEEDED:
        return new Failure(EXIT_UNREACHABLE, at + " did not answer in time" + detail);
      case UNIMPLEMENTED:
        return new Failure(EXIT_ERROR, at + " has no Debug service (an older zxd?)" + detail);
      default:
        return new Failure(EXIT_ERROR, at + " failed the call: " + s.getCode() + detail);
    }
  }
}
