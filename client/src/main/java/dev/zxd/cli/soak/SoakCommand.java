package dev.zxd.cli.soak;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.zxd.cli.Zxctl;
import dev.zxd.cli.bench.BenchCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code zxctl soak}: a long mixed run that checks nothing is lost, duplicated, reordered or leaked. */
@Command(name = "soak", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Runs many processes exchanging numbered messages while ends move and processes come and go; "
        + "checks nothing is lost, duplicated, reordered or leaked.",
    description = {
        "",
        "A launcher process starts --processes soak processes, each with a bootstrap channel, and links them "
            + "in rings: channels, stream sockets (HAS_ACCEPT) and datagram sockets, each written at one end and "
            + "read at the other with sequence-numbered messages (at most --window unread per link). While they "
            + "run, ends move between processes: channel and socket ends MOVEd in channel messages "
            + "(write_etc), datagram sockets shared over stream sockets (zx_socket_share / accept), and socket "
            + "ends handed over with protocol-info tokens. Every --churn one process drains every link it "
            + "reads and exits (its peers must see PEER_CLOSED) and a new one joins with four new links.",
        "",
        "At the end every process drains and exits, then the launcher, and the checks run: per link, lost "
            + "(accepted by a write, never read), duplicated (read twice), reordered (read after a higher "
            + "number) and unexpected messages must all be 0; so must peers that did not see PEER_CLOSED; and "
            + "the daemon (Debug service; give --admin-token if it has one) must hold none of the objects the "
            + "soak's processes held, list none of them, and be back at its object, handle, process and token "
            + "counts from before the run. Run it against a daemon nobody else is using.",
        "",
        "All traffic goes to --target. At most --concurrency syscalls are in flight, stepped from a few "
            + "threads, so 1000 processes need no more threads than 16. Progress goes to stderr; the summary "
            + "to stdout. Exit status 0 when every check passed, 1 when any failed (or the run could not "
            + "finish), 3 when the daemon cannot be reached, 4 when it refused the Debug calls.",
        ""},
    footer = {"", "Examples:",
        "  zxctl soak --processes 16 --duration 30s",
        "  zxctl soak --processes 1000 --duration 10m --json soak.json --metrics-url http://127.0.0.1:9464/metrics"})
public final class SoakCommand implements Callable<Integer> {
  @Mixin
  Zxctl.Target daemon;

  @Option(names = "--processes", paramLabel = "N", defaultValue = "16",
      description = "Soak processes running at once (besides the launcher); default ${DEFAULT-VALUE}.")
  int processes;

  @Option(names = "--duration", paramLabel = "TIME", defaultValue = "30s",
      converter = BenchCommand.DurationConverter.class,
      description = "How long to run before draining, e.g. 30s, 10m; default ${DEFAULT-VALUE}.")
  Duration duration;

  @Option(names = "--concurrency", paramLabel = "N", defaultValue = "32",
      description = "Syscalls in flight at most (lanes stepping processes); default ${DEFAULT-VALUE}.")
  int concurrency;

  @Option(names = "--window", paramLabel = "N", defaultValue = "16",
      description = "Unread messages (records) per link at most; default ${DEFAULT-VALUE}.")
  int window;

  @Option(names = "--move-chance", paramLabel = "P", defaultValue = "0.05",
      description = "Chance that a process's step moves one of its ends instead of writing; default "
          + "${DEFAULT-VALUE}.")
  double moveChance;

  @Option(names = "--churn", paramLabel = "TIME", defaultValue = "1s",
      converter = BenchCommand.DurationConverter.class,
      description = "How often one process exits and a new one joins (0: never); default ${DEFAULT-VALUE}.")
  Duration churn;

  @Option(names = "--seed", paramLabel = "N", description = "Seed of the random choices (default: random; "
      + "printed). The interleaving still depends on timing.")
  Long seed;

  @Option(names = "--json", paramLabel = "FILE", description = "Write the result as JSON to FILE.")
  Path json;

  @Option(names = "--metrics-url", paramLabel = "URL", description = "The daemon's Prometheus endpoint "
      + "(e.g. http://127.0.0.1:9464/metrics), scraped for its JVM heap while running.")
  String metricsUrl;

  @Option(names = "--no-progress", description = "No progress lines on stderr.")
  boolean noProgress;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (processes < 2 || concurrency < 1 || window < 1 || moveChance < 0 || moveChance > 1
        || duration.isNegative() || churn.isNegative()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--processes must be >= 2, --concurrency and "
          + "--window >= 1, --move-chance between 0 and 1, times not negative");
    }
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    long s = seed != null ? seed : ThreadLocalRandom.current().nextLong();
    long progressEvery = duration.compareTo(Duration.ofMinutes(2)) > 0 ? TimeUnit.SECONDS.toNanos(10)
        : TimeUnit.SECONDS.toNanos(1);
    long drain = TimeUnit.SECONDS.toNanos(60) + TimeUnit.MILLISECONDS.toNanos(50L * processes);
    Soak.Config config = new Soak.Config(daemon.target, processes, duration.toNanos(), concurrency, window, moveChance,
        churn.toNanos(), s, progressEvery, drain);
    if (!noProgress) {
      err.println("soak: seed " + s);
      err.flush();
    }
    HeapSampler heap = new HeapSampler(metricsUrl);
    SoakResult result;
    try (DaemonAudit audit = new DaemonAudit(daemon)) {
      audit.baseline();
      heap.start();
      Soak soak = new Soak(config, noProgress ? null : err, audit);
      long t0 = System.nanoTime();
      try {
        soak.run();
      } catch (RuntimeException e) {
        soak.protocolError("the run stopped: " + e);
      }
      long seconds = System.nanoTime() - t0;
      heap.stop();
      SequenceChecker.Totals totals = soak.checker.finish();
      DaemonAudit.Leaks leaks = audit.leaks(System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
      result = new SoakResult(config, daemon.target, soak, totals, leaks, audit.before(), heap, seconds / 1e9);
    }
    result.print(out);
    if (json != null) {
      Files.writeString(json, result.json(), StandardCharsets.UTF_8);
    }
    out.flush();
    return result.passed() ? 0 : 1;
  }

  /** The daemon's heap, scraped from its metrics now and then while the soak runs. */
  static final class HeapSampler {
    private final String url;
    private Thread thread;
    private volatile boolean stop;
    volatile double maxUsed = -1;
    volatile double lastUsed = -1;
    volatile double lastCommitted = -1;
    volatile String error;

    HeapSampler(String url) {
      this.url = url;
    }

    void start() {
      if (url == null) {
        return;
      }
      thread = new Thread(() -> {
        while (!stop) {
          sample();
          try {
            Thread.sleep(2000); // a sample every 2 s is plenty for a heap trend
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "soak-heap");
      thread.setDaemon(true);
      thread.start();
    }

    void stop() {
      if (thread != null) {
        stop = true;
        thread.interrupt();
        sample();
      }
    }

    private void sample() {
      try {
        Map<String, Double> m = BenchCommand.scrape(url);
        lastUsed = m.getOrDefault("daemon_heap_used_bytes", -1.0);
        lastCommitted = m.getOrDefault("daemon_heap_committed_bytes", -1.0);
        maxUsed = Math.max(maxUsed, lastUsed);
      } catch (IOException | RuntimeException e) {
        error = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    boolean enabled() {
      return url != null;
    }
  }

  static String pretty(JsonObject o) {
    return new GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n";
  }

  static JsonArray array(Iterable<String> items) {
    JsonArray a = new JsonArray();
    items.forEach(a::add);
    return a;
  }
}
