package dev.zxd.cli.bench;

import com.google.common.util.concurrent.MoreExecutors;
import dev.zxd.cli.DebugConnection;
import dev.zxd.cli.Zxctl;
import dev.zxd.client.Zxd;
import dev.zxd.proto.v1.DebugStatsReply;
import dev.zxd.proto.v1.DebugStatsRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code zxctl bench}: the IPC load generator. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Loads a daemon with an IPC pattern and reports throughput and latency percentiles.",
    description = {
        "",
        "Patterns:",
        "  pingpong  channel round trip between two processes on two connections: A writes, B's wait completes, "
            + "B reads and writes back, A's wait completes and it reads (--mode unary: one RPC per syscall; "
            + "--mode stream: each process's Kernel/Invoke stream, A's write and wait pipelined)",
        "  relay     a ring of --processes processes passing channel endpoints around with MOVE (write_etc); "
            + "latency per lap, --concurrency endpoints travelling",
        "  fanout    one writer, --processes readers each waiting on its own port (wait_async + Port/WaitStream); "
            + "each reader acks; latency until all acks are in",
        "  socket    --size writes (default 64 KiB) from one process to another over a stream socket; MB/s",
        "  sessions  --processes processes (default 1000) each making --handles handles (default 100); time, "
            + "daemon handle counts (Debug Stats) and, with --metrics-url, the daemon's JVM heap",
        "  waits     --waits pending waits (default 100000) over --processes processes (default 10), completed "
            + "by one signal per process; time to register and to complete them",
        "  syscall   one syscall (Object/Signal) per operation, --concurrency in flight",
        "  batch     one Kernel/InvokeBatch message of --batch syscalls (default 256: duplicate + close by "
            + "pipelined reference) per operation, --concurrency batches in flight; syscalls/s",
        "",
        "Progress goes to stderr once a second; the summary table to stdout. --baseline also measures the "
            + "daemon's bare gRPC echo (zxd.v1.Bench, unary and streaming) with the same size, concurrency and "
            + "time on the same target, and reports each zxd figure as a ratio to it. Every process the bench "
            + "makes exits at the end.",
        ""},
    footer = {"", "Examples:",
        "  zxctl bench pingpong --mode stream --concurrency 64 --duration 10s --baseline",
        "  zxctl bench socket --size 65536 --duration 5s --baseline --json socket.json --html socket.html",
        "  zxctl bench sessions --processes 10000 --handles 100 --metrics-url http://127.0.0.1:9464/metrics",
        "  zxctl bench waits --waits 100000 --processes 10 --target unix:/tmp/zxd.sock"})
public final class BenchCommand implements Callable<Integer> {
  /** The load patterns. */
  public enum Pattern { pingpong, relay, fanout, socket, sessions, waits, syscall, batch }

  /** How syscalls travel. */
  /**
   * unary: one gRPC call per syscall. stream: the process's Kernel/Invoke stream. chained: the stream, with
   * dependent steps sent at once and run by the daemon in order ("after"), where a pattern supports it.
   */
  public enum Mode { unary, stream, chained }

  @Parameters(index = "0", arity = "0..1", paramLabel = "PATTERN",
      description = "pingpong, relay, fanout, socket, sessions, waits, syscall or batch.")
  Pattern positional;

  @Option(names = "--pattern", paramLabel = "PATTERN", description = "The pattern (instead of the positional).")
  Pattern option;

  @Mixin
  Zxctl.Target daemon;

  @Option(names = "--mode", paramLabel = "MODE", defaultValue = "unary",
      description = "unary (one RPC per syscall) or stream (Kernel/Invoke); default ${DEFAULT-VALUE}.")
  Mode mode;

  @Option(names = "--processes", paramLabel = "N", description = "Processes (relay ring, fanout readers: default 4; "
      + "sessions: 1000; waits: 10).")
  Integer processes;

  @Option(names = "--concurrency", paramLabel = "N",
      description = "Operations in flight (default 1; pingpong: channel pairs; relay: travelling endpoints; "
          + "sessions: processes being made at once, default 16).")
  Integer concurrency;

  @Option(names = "--size", paramLabel = "BYTES", description = "Message bytes (default 32; socket: 65536).")
  Integer size;

  @Option(names = "--handles", paramLabel = "N", defaultValue = "100",
      description = "sessions: handles per process; default ${DEFAULT-VALUE}.")
  int handles;

  @Option(names = "--batch", paramLabel = "N", defaultValue = "256",
      description = "batch: syscalls per transport message; default ${DEFAULT-VALUE}.")
  int batch;

  @Option(names = "--quiet", description = "batch: every request but the last of a batch is quiet (answered only "
      + "if it fails, like io_uring's skip-success). socket --mode chained: the writer's waits and writes are quiet "
      + "(one write in 16 answered), and a write is done when the reader has read its last byte.")
  boolean quiet;

  @Option(names = "--waits", paramLabel = "N", defaultValue = "100000",
      description = "waits: pending waits in all; default ${DEFAULT-VALUE}.")
  int waits;

  @Option(names = "--duration", paramLabel = "TIME", converter = DurationConverter.class,
      description = "How long to measure, e.g. 10s, 300ms, 1m (default 10s unless --count is given).")
  Duration duration;

  @Option(names = "--count", paramLabel = "N", description = "Stop after N measured operations.")
  Long count;

  @Option(names = "--warmup", paramLabel = "TIME", converter = DurationConverter.class, defaultValue = "10s",
      description = "Unmeasured run before measuring, so both JVMs' JIT compilers have finished (on 2 cores the "
          + "syscall paths take 10-20 s to reach full speed); default ${DEFAULT-VALUE}.")
  Duration warmup;

  @Option(names = "--baseline", description = "Also measure the bare gRPC echo (unary and streaming) on the same "
      + "target and report ratios.")
  boolean baseline;

  @Option(names = "--rounds", paramLabel = "N", defaultValue = "1",
      description = "Run the pattern (and with --baseline the echo runs after it) N times in turn and report each "
          + "round's ratios and their medians: on a shared machine one round can catch a slow spell. A round in "
          + "which the host stole more than 5 %% of the CPU (Linux) is left out of the medians unless all were. "
          + "Rounds after the first warm up for at most 2 s. Default ${DEFAULT-VALUE}.")
  int rounds;

  @Option(names = "--json", paramLabel = "FILE", description = "Write the result as JSON to FILE.")
  Path json;

  @Option(names = "--html", paramLabel = "FILE", description = "Write an HTML page with the latency distribution.")
  Path html;

  @Option(names = "--metrics-url", paramLabel = "URL", description = "The daemon's Prometheus endpoint "
      + "(e.g. http://127.0.0.1:9464/metrics), scraped for its JVM heap and thread count.")
  String metricsUrl;

  @Option(names = "--no-progress", description = "No progress lines on stderr.")
  boolean noProgress;

  @Option(names = "--direct-executor", description = "Run gRPC's callbacks on the transport threads in every "
      + "connection the bench makes, the echo's included, instead of handing each reply to gRPC's default thread "
      + "pool (a thread wake-up per reply). Much faster on few cores.")
  boolean directExecutor;

  @Spec
  CommandSpec spec;

  /** Read as each run's measuring starts and ends; the daemon's side only while {@link #call} runs. */
  private CpuClock cpuClock = CpuClock.NONE;

  /** What every pattern needs. */
  final class Setup {
    final String target = daemon.target;
    final Mode mode = BenchCommand.this.mode;
    final int concurrency;
    final int processes;
    final int size;
    final int handles = BenchCommand.this.handles;
    final int waits = BenchCommand.this.waits;
    final boolean quiet = BenchCommand.this.quiet;

    Setup(Pattern p) {
      Integer c = BenchCommand.this.concurrency;
      this.concurrency = c != null ? c : p == Pattern.sessions ? 16 : 1;
      int defProcesses = p == Pattern.sessions ? 1000 : p == Pattern.waits ? 10 : 4;
      this.processes = BenchCommand.this.processes == null ? defProcesses : BenchCommand.this.processes;
      this.size = BenchCommand.this.size == null ? (p == Pattern.socket ? 65536 : 32) : BenchCommand.this.size;
    }

    /** A connection for one of the bench's processes (or the echo), with the bench's callback executor. */
    Zxd connect() {
      return Zxd.connect(target, directExecutor ? MoreExecutors.directExecutor() : null);
    }

    Runner runner(String label) {
      return new Runner("bench " + label, err(), !noProgress, cpuClock);
    }

    Runner.Limits limits() {
      long d = duration != null ? duration.toNanos() : count != null ? 0 : TimeUnit.SECONDS.toNanos(10);
      long w = warmup == null ? 0 : warmup.toNanos();
      long hard = d > 0 ? w + d + TimeUnit.SECONDS.toNanos(60) : TimeUnit.HOURS.toNanos(1);
      return new Runner.Limits(w, d, count == null ? 0 : count, hard);
    }

    Patterns.Ticker ticker(String label, LongSupplier ops) {
      return noProgress ? new Patterns.Ticker(label, ops, new PrintWriter(PrintWriter.nullWriter()))
          : new Patterns.Ticker("bench " + label, ops, err());
    }

    /** The daemon's own figures now (Debug Stats; with --metrics-url, its heap and threads), into m.extra. */
    Map<String, Object> daemonFigures(Measurement m, String prefix) {
      Map<String, Object> out = new LinkedHashMap<>();
      try (DebugConnection debug = DebugConnection.open(daemon)) {
        DebugStatsReply st = debug.call().stats(DebugStatsRequest.getDefaultInstance());
        out.put(prefix + "daemon_processes", st.getProcesses());
        out.put(prefix + "daemon_objects", st.getObjects());
        out.put(prefix + "daemon_handles", st.getHandles());
      } catch (RuntimeException e) {
        out.put(prefix + "daemon_stats", "unavailable: " + e.getMessage());
      }
      if (metricsUrl != null) {
        try {
          Map<String, Double> metrics = scrape(metricsUrl);
          metrics.forEach((k, v) -> out.put(prefix + k, v));
        } catch (IOException | RuntimeException e) {
          out.put(prefix + "metrics", "unavailable: " + e.getMessage());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      m.extra.putAll(out);
      return out;
    }
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  @Override
  public Integer call() throws IOException {
    Pattern p = option != null ? option : positional;
    if (p == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "give a PATTERN (or --pattern)");
    }
    if (option != null && positional != null && option != positional) {
      throw new CommandLine.ParameterException(spec.commandLine(), "two different patterns given");
    }
    if ((concurrency != null && concurrency < 1) || (size != null && (size < 0 || size > 65536 && p != Pattern.socket))) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--concurrency must be >= 1 and --size between 0 and 65536 (a channel message's limit)");
    }
    if (rounds < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--rounds must be >= 1");
    }
    if (quiet && p != Pattern.batch && !(p == Pattern.socket && mode == Mode.chained)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--quiet is for batch, and for socket with --mode chained (writes queued in the daemon)");
    }
    if (quiet && p == Pattern.socket && size != null && size > Patterns.SOCKET_CAPACITY) {
      throw new CommandLine.ParameterException(spec.commandLine(), "socket --quiet needs writes that fit in the "
          + "socket whole (--size at most " + Patterns.SOCKET_CAPACITY + "): a quiet short write answers nothing");
    }
    List<Measurement> results = new ArrayList<>();
    List<Measurement> base = new ArrayList<>();
    Duration firstWarmup = warmup;
    try (DaemonCpu daemonCpu = new DaemonCpu(daemon)) {
      cpuClock = CpuClock.ofThisProcessAnd(daemonCpu);
      // Take each reading once now. A first call loads classes, in the daemon as in this JVM, and loading a class
      // can make the JIT throw away compiled code of the hot path; done as measuring starts, that recompiling
      // was measured.
      cpuClock.read();
      CpuSteal.now();
      for (int round = 1; round <= rounds; round++) {
        if (round > 1 && warmup != null && warmup.compareTo(Duration.ofSeconds(2)) > 0) {
          warmup = Duration.ofSeconds(2); // the JIT is warm after the first round
        }
        String suffix = rounds > 1 ? "#" + round : "";
        Setup s = new Setup(p);
        for (Measurement m : runPattern(p, s)) {
          results.add(suffix.isEmpty() ? m : m.renamed(m.name + suffix));
        }
        if (baseline) {
          for (Measurement m : runBaselines(p, s)) {
            base.add(suffix.isEmpty() ? m : m.renamed(m.name + suffix));
          }
        }
      }
    } finally {
      cpuClock = CpuClock.NONE;
    }
    warmup = firstWarmup;
    Setup s = new Setup(p);
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("mode", s.mode.name());
    params.put("processes", s.processes);
    params.put("concurrency", s.concurrency);
    params.put("size", s.size);
    if (p == Pattern.sessions) {
      params.put("handles", s.handles);
    }
    if (p == Pattern.waits) {
      params.put("waits", s.waits);
    }
    if (p == Pattern.batch || p == Pattern.socket) {
      params.put("quiet", s.quiet);
    }
    params.put("duration_seconds", duration == null ? (count == null ? 10.0 : 0.0) : duration.toNanos() / 1e9);
    params.put("count", count == null ? 0 : count);
    params.put("warmup_seconds", warmup == null ? 0 : warmup.toNanos() / 1e9);
    params.put("baseline", baseline);
    params.put("direct_executor", directExecutor);
    params.put("rounds", rounds);
    Report report = new Report(p.name(), params, daemon.target, machine(), results, base, rounds);
    PrintWriter out = spec.commandLine().getOut();
    report.printTable(out);
    if (json != null) {
      Files.writeString(json, report.json(), StandardCharsets.UTF_8);
    }
    if (html != null) {
      Files.writeString(html, report.html(), StandardCharsets.UTF_8);
    }
    out.flush();
    return 0;
  }

  private List<Measurement> runPattern(Pattern p, Setup s) {
    return switch (p) {
      case pingpong -> List.of(Patterns.pingpong(s));
      case relay -> List.of(Patterns.relay(s));
      case fanout -> List.of(Patterns.fanout(s));
      case socket -> List.of(Patterns.socket(s));
      case sessions -> List.of(Patterns.sessions(s));
      case waits -> Patterns.waits(s);
      case syscall -> List.of(Patterns.syscall(s));
      case batch -> List.of(BatchPattern.run(s, Math.max(2, batch), quiet));
    };
  }

  /** The bare gRPC echo, unary then streaming, on the same target with the same shape. */
  private List<Measurement> runBaselines(Pattern p, Setup s) {
    Runner.Limits limits = s.limits();
    if (p == Pattern.sessions || p == Pattern.waits) {
      long d = duration != null ? duration.toNanos() : TimeUnit.SECONDS.toNanos(2);
      limits = new Runner.Limits(warmup == null ? 0 : warmup.toNanos(), d, 0, d + TimeUnit.SECONDS.toNanos(60));
    }
    try (Zxd zxd = s.connect()) {
      return List.of(
          Baseline.unary(zxd.grpcChannel(), s.runner("baseline echo-unary"), s.concurrency, s.size, limits),
          Baseline.stream(zxd.grpcChannel(), s.runner("baseline echo-stream"), s.concurrency, s.size, limits));
    }
  }

  public static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("load_average", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    return m;
  }

  /** A few JVM and kernel figures from a Prometheus text scrape. */
  public static Map<String, Double> scrape(String url) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    double heapUsed = 0;
    double heapCommitted = 0;
    Map<String, Double> out = new LinkedHashMap<>();
    for (String line : r.body().split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      int sp = line.lastIndexOf(' ');
      if (sp < 0) {
        continue;
      }
      String name = line.substring(0, sp);
      double v;
      try {
        v = Double.parseDouble(line.substring(sp + 1));
      } catch (NumberFormatException e) {
        continue;
      }
      if (name.startsWith("jvm_memory_used_bytes{") && name.contains("area=\"heap\"")) {
        heapUsed += v;
      } else if (name.startsWith("jvm_memory_committed_bytes{") && name.contains("area=\"heap\"")) {
        heapCommitted += v;
      } else if (name.equals("jvm_threads_live_threads") || name.startsWith("jvm_threads_live_threads{")) {
        out.put("daemon_jvm_threads_live", v);
      } else if (name.equals("zxd_waits_pending") || name.startsWith("zxd_waits_pending{")) {
        out.put("daemon_waits_pending", v);
      } else if (name.equals("zxd_handles") || name.startsWith("zxd_handles{")) {
        out.put("daemon_handles_metric", v);
      }
    }
    out.put("daemon_heap_used_bytes", heapUsed);
    out.put("daemon_heap_committed_bytes", heapCommitted);
    return out;
  }

  /** 10s, 300ms, 1m, 2.5s, 500us, or ISO-8601 (PT10S). */
  public static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      if (v.startsWith("pt")) {
        return Duration.parse(value);
      }
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ns|us|µs|ms|s|m|h)?")
          .matcher(v);
      if (!m.matches()) {
        throw new CommandLine.TypeConversionException("not a duration: " + value + " (try 10s, 300ms, 1m)");
      }
      double n = Double.parseDouble(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      double nanos = switch (unit) {
        case "ns" -> n;
        case "us", "µs" -> n * 1e3;
        case "ms" -> n * 1e6;
        case "m" -> n * 60e9;
        case "h" -> n * 3600e9;
        default -> n * 1e9;
      };
      return Duration.ofNanos((long) nanos);
    }
  }
}
