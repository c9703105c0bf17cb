package dev.zxd.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.zxd.cli.Zxctl;
import dev.zxd.testing.ZxdExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code zxctl bench} runs every pattern for a short, bounded time against a daemon in this JVM and produces a
 * well-formed result: the JSON parses and carries every field, positive; the HTML page draws an SVG. The extension
 * fails a test that leaves kernel objects behind, so each pattern must exit every process it made.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BenchCommandTest {
  @RegisterExtension
  static final ZxdExtension ZXD = ZxdExtension.tcp();

  @TempDir
  Path dir;

  private record Run(int exit, String out, String err) {}

  /** Runs {@code zxctl bench ...} (through Zxctl, so the registration is tested too), bounded in time. */
  private Run bench(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("bench", "--target", ZXD.target()));
    all.addAll(List.of(args));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new Zxctl());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = CompletableFuture.supplyAsync(() -> cl.execute(all.toArray(String[]::new)))
        .get(100, TimeUnit.SECONDS);
    Run r = new Run(exit, out.toString(), err.toString());
    assertEquals(0, r.exit, () -> "bench failed\nstdout:\n" + r.out + "\nstderr:\n" + r.err);
    return r;
  }

  /** Runs with --json and --html and checks both; returns the JSON. */
  private JsonObject result(String pattern, String... args) throws Exception {
    Path json = dir.resolve(pattern + ".json");
    Path html = dir.resolve(pattern + ".html");
    List<String> all = new ArrayList<>(List.of(pattern, "--json", json.toString(), "--html", html.toString()));
    all.addAll(List.of(args));
    Run r = bench(all.toArray(String[]::new));
    assertTrue(r.out.startsWith("run "), r.out);
    assertTrue(r.out.contains("zxd-"), r.out);

    JsonObject o = JsonParser.parseString(Files.readString(json, StandardCharsets.UTF_8)).getAsJsonObject();
    assertEquals(pattern, o.get("pattern").getAsString());
    assertTrue(o.getAsJsonObject("parameters").has("concurrency"));
    assertEquals(ZXD.target(), o.getAsJsonObject("transport").get("target").getAsString());
    assertEquals("tcp", o.getAsJsonObject("transport").get("transport").getAsString());
    assertTrue(o.getAsJsonObject("machine").get("cores").getAsInt() > 0);
    assertTrue(o.get("throughput_ops_per_second").getAsDouble() > 0, o::toString);
    JsonArray results = o.getAsJsonArray("results");
    assertTrue(results.size() >= 1);
    for (JsonElement e : results) {
      checkMeasurement(e.getAsJsonObject());
    }
    JsonObject lat = o.getAsJsonObject("latency_us");
    for (String p : List.of("p50", "p90", "p99", "p99_9", "max")) {
      assertTrue(lat.get(p).getAsDouble() > 0, p + " in " + lat);
    }
    assertTrue(lat.get("p50").getAsDouble() <= lat.get("p99").getAsDouble());
    assertTrue(lat.get("p99").getAsDouble() <= lat.get("max").getAsDouble());

    String page = Files.readString(html, StandardCharsets.UTF_8);
    assertTrue(page.startsWith("<!DOCTYPE html>"));
    assertTrue(page.contains("<svg") && page.contains("<polyline"), "a drawn latency distribution");
    assertTrue(!page.contains("<script") && !page.contains("http://") || page.contains("http://www.w3.org/2000/svg"),
        "self-contained");
    return o;
  }

  private static void checkMeasurement(JsonObject m) {
    assertTrue(m.get("ops").getAsLong() > 0, m::toString);
    assertTrue(m.get("seconds").getAsDouble() > 0, m::toString);
    assertTrue(m.get("ops_per_second").getAsDouble() > 0, m::toString);
    assertTrue(m.getAsJsonObject("latency_us").get("p50").getAsDouble() > 0, m::toString);
    JsonArray buckets = m.getAsJsonArray("histogram_buckets");
    assertTrue(buckets.size() > 0);
    long sum = 0;
    for (JsonElement b : buckets) {
      assertTrue(b.getAsJsonObject().get("le_us").getAsDouble() > 0);
      sum += b.getAsJsonObject().get("count").getAsLong();
    }
    assertEquals(m.getAsJsonObject("latency_us").get("count").getAsLong(), sum, "buckets hold every operation");
  }

  @Test
  void pingpongUnaryWithBaseline() throws Exception {
    JsonObject o = result("pingpong", "--mode", "unary", "--duration", "300ms", "--warmup", "100ms", "--baseline");
    JsonArray base = o.getAsJsonArray("baseline");
    assertEquals(2, base.size());
    for (JsonElement e : base) {
      checkMeasurement(e.getAsJsonObject());
    }
    // Each run's CPU per operation: the bench's own, and the daemon's from Debug Stats (here the same JVM).
    List<JsonElement> runs = new ArrayList<>(o.getAsJsonArray("results").asList());
    runs.addAll(base.asList());
    for (JsonElement e : runs) {
      assertTrue(e.getAsJsonObject().get("client_cpu_us_per_op").getAsDouble() > 0, e::toString);
      assertTrue(e.getAsJsonObject().get("daemon_cpu_us_per_op").getAsDouble() > 0, e::toString);
    }
    JsonArray ratios = o.getAsJsonArray("ratios");
    assertEquals(2, ratios.size());
    for (JsonElement e : ratios) {
      assertTrue(e.getAsJsonObject().get("throughput_ratio").getAsDouble() > 0);
      assertTrue(e.getAsJsonObject().get("p50_latency_ratio").getAsDouble() > 0);
      assertTrue(e.getAsJsonObject().get("cpu_per_op_ratio").getAsDouble() > 0);
    }
  }

  @Test
  void withTheDirectExecutorThePatternsAndTheEchoRunAsBefore() throws Exception {
    // Callbacks on the transport threads: a pattern that blocked in one would hang here, not just slow down.
    for (String[] run : List.of(new String[] {"syscall", "--mode", "stream", "--concurrency", "8", "--baseline"},
        new String[] {"pingpong", "--mode", "chained"}, new String[] {"pingpong", "--mode", "unary"},
        new String[] {"socket", "--mode", "chained", "--quiet", "--count", "50"})) {
      List<String> args = new ArrayList<>(List.of(run));
      args.addAll(List.of("--direct-executor", "--warmup", "0s"));
      if (!args.contains("--count")) {
        args.addAll(List.of("--duration", "300ms"));
      }
      JsonObject o = result(run[0], args.subList(1, args.size()).toArray(String[]::new));
      assertTrue(o.getAsJsonObject("parameters").get("direct_executor").getAsBoolean(), o::toString);
      checkMeasurement(o.getAsJsonArray("results").get(0).getAsJsonObject());
      if (args.contains("--baseline")) {
        assertEquals(2, o.getAsJsonArray("baseline").size());
      }
    }
  }

  @Test
  void roundsPairEachRunWithItsOwnBaselinesAndReportMedians() throws Exception {
    JsonObject o = result("syscall", "--mode", "unary", "--duration", "200ms", "--warmup", "0s", "--baseline",
        "--rounds", "3");
    assertEquals(3, o.getAsJsonArray("results").size());
    assertEquals(6, o.getAsJsonArray("baseline").size());
    JsonArray ratios = o.getAsJsonArray("ratios");
    assertEquals(6, ratios.size(), "two baselines per round, no pairs across rounds");
    for (JsonElement e : ratios) {
      JsonObject r = e.getAsJsonObject();
      String round = r.get("zxd").getAsString().substring(r.get("zxd").getAsString().indexOf('#'));
      assertTrue(r.get("baseline").getAsString().endsWith(round), r::toString);
    }
    JsonArray medians = o.getAsJsonArray("median_ratios");
    assertEquals(2, medians.size());
    for (JsonElement e : medians) {
      JsonObject m = e.getAsJsonObject();
      // Rounds with much steal time are set aside (ReportTest); this machine's steal decides how many.
      assertEquals(3, m.get("rounds").getAsInt() + m.get("rounds_set_aside").getAsInt(), m::toString);
      assertTrue(m.get("baseline").getAsString().startsWith("echo-"), m::toString);
      assertFalse(m.get("zxd").getAsString().contains("#"), m::toString);
      double median = m.get("throughput_ratio").getAsDouble();
      List<Double> own = ratios.asList().stream().map(JsonElement::getAsJsonObject)
          .filter(r -> r.get("baseline").getAsString().startsWith(m.get("baseline").getAsString() + "#"))
          .map(r -> r.get("throughput_ratio").getAsDouble()).toList();
      assertEquals(3, own.size());
      if (m.get("rounds").getAsInt() == 3) {
        assertTrue(own.contains(median), "the median is one of the three rounds' own ratios: " + m);
      } else {
        assertTrue(median >= java.util.Collections.min(own) && median <= java.util.Collections.max(own),
            m::toString);
      }
    }
  }

  @Test
  void pingpongStream() throws Exception {
    JsonObject o = result("pingpong", "--mode", "stream", "--concurrency", "4", "--duration", "300ms",
        "--warmup", "0s");
    assertTrue(o.get("throughput_mb_per_second").getAsDouble() > 0);
  }

  @Test
  void pingpongChainedRunsTheDependentStepsInTheDaemon() throws Exception {
    JsonObject o = result("pingpong", "--mode", "chained", "--concurrency", "2", "--duration", "300ms",
        "--warmup", "0s");
    assertTrue(o.get("throughput_mb_per_second").getAsDouble() > 0);
  }

  @Test
  void relay() throws Exception {
    JsonObject o = result("relay", "--processes", "3", "--concurrency", "2", "--duration", "300ms",
        "--warmup", "0s");
    JsonObject extra = o.getAsJsonArray("results").get(0).getAsJsonObject().getAsJsonObject("extra");
    assertTrue(extra.get("hops_per_second").getAsDouble() > 0);
  }

  @Test
  void fanoutOverTheStream() throws Exception {
    result("fanout", "--processes", "3", "--mode", "stream", "--duration", "300ms", "--warmup", "0s");
  }

  @Test
  void socket() throws Exception {
    JsonObject o = result("socket", "--size", "16384", "--duration", "300ms", "--warmup", "0s", "--baseline");
    assertTrue(o.get("throughput_mb_per_second").getAsDouble() > 0);
    boolean mbRatio = false;
    for (JsonElement e : o.getAsJsonArray("ratios")) {
      mbRatio |= e.getAsJsonObject().has("mb_per_second_ratio");
    }
    assertTrue(mbRatio, "socket MB/s is compared with the echo's");
  }

  @Test
  void socketChainedWritesGoWholeInOrderWithoutRacing() throws Exception {
    // Eight writers of 64 KiB keep the socket (four writes' worth) full: each write waits in the daemon behind
    // the previous one for WRITE_THRESHOLD, so none goes short and none is refused.
    JsonObject o = result("socket", "--mode", "chained", "--size", "65536", "--concurrency", "8", "--duration",
        "300ms", "--warmup", "0s");
    JsonObject r = o.getAsJsonArray("results").get(0).getAsJsonObject();
    assertTrue(r.get("ops").getAsLong() > 0);
    JsonObject extra = r.getAsJsonObject("extra");
    assertEquals(0, extra.get("writes_short").getAsLong(), "a write that fits whole never goes short");
    assertEquals(0, extra.get("writes_refused").getAsLong(), "no two writes race for the same room");
    assertTrue(extra.get("reader_mean_read_bytes").getAsDouble() > 0);
    if (java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/stat"))) {
      double steal = r.get("steal_percent").getAsDouble();
      assertTrue(steal >= 0 && steal <= 100, "the run reports the host's steal time: " + steal);
    }
  }

  @Test
  void socketQuietWritesAreDoneWhenTheReaderHasTheirBytes() throws Exception {
    // A count, not a duration: several groups of 16 writes (one answered each), however slow the machine.
    JsonObject o = result("socket", "--mode", "chained", "--quiet", "--size", "65536", "--concurrency", "8",
        "--count", "100", "--warmup", "0s");
    JsonObject r = o.getAsJsonArray("results").get(0).getAsJsonObject();
    assertEquals("zxd-socket-chained-quiet", r.get("name").getAsString());
    long ops = r.get("ops").getAsLong();
    assertTrue(ops >= 100 && ops < 100 + 8, "stops at the count: " + ops);
    JsonObject extra = r.getAsJsonObject("extra");
    assertEquals(0, extra.get("writes_short").getAsLong());
    assertTrue(extra.get("reader_bytes_whole_run").getAsLong() >= ops * 65536,
        "every write counted done had been read: " + extra);
    assertTrue(o.getAsJsonObject("parameters").get("quiet").getAsBoolean());
  }

  @Test
  void helpRendersEveryOption() {
    // picocli formats descriptions: a bare percent sign there is a format error, and the text comes out raw.
    String usage = new CommandLine(new Zxctl()).getSubcommands().get("bench").getUsageMessage();
    assertTrue(usage.contains("more than 5 % of the CPU"), usage);
    assertTrue(usage.contains("--quiet"), usage);
  }

  @Test
  void socketQuietNeedsTheChainedModeAndWritesThatFit() {
    for (String[] args : List.of(new String[] {"--mode", "stream"}, new String[] {"--mode", "chained", "--size",
        "300000"})) {
      List<String> all = new ArrayList<>(List.of("bench", "socket", "--quiet", "--target", ZXD.target()));
      all.addAll(List.of(args));
      StringWriter err = new StringWriter();
      CommandLine cl = new CommandLine(new Zxctl());
      cl.setOut(new PrintWriter(new StringWriter(), true));
      cl.setErr(new PrintWriter(err, true));
      assertEquals(2, cl.execute(all.toArray(String[]::new)), "refused before anything runs: " + all);
      assertTrue(err.toString().contains("--quiet"), err::toString);
    }
  }

  @Test
  void socketChainedWritesLargerThanTheSocketGoShortAndFinish() throws Exception {
    JsonObject o = result("socket", "--mode", "chained", "--size", "300000", "--concurrency", "2", "--duration",
        "300ms", "--warmup", "0s");
    JsonObject r = o.getAsJsonArray("results").get(0).getAsJsonObject();
    assertTrue(r.get("ops").getAsLong() > 0, "300 000-byte writes complete in pieces");
    assertTrue(r.getAsJsonObject("extra").get("writes_short").getAsLong() > 0);
  }

  @Test
  void pipelinedBatchesCountEverySyscall() throws Exception {
    JsonObject o = result("batch", "--batch", "64", "--concurrency", "2", "--count", "50", "--warmup", "0s");
    JsonObject r = o.getAsJsonArray("results").get(0).getAsJsonObject();
    long ops = r.get("ops").getAsLong();
    assertTrue(ops >= 50 && ops < 50 + 2, "stops at the count: " + ops);
    JsonObject extra = r.getAsJsonObject("extra");
    assertEquals(64, extra.get("syscalls_per_batch").getAsInt());
    assertEquals(64 * r.get("ops_per_second").getAsDouble(), extra.get("syscalls_per_second").getAsDouble(), 1e-6);
  }

  @Test
  void quietBatchesEndOnTheirLastReply() throws Exception {
    JsonObject o = result("batch", "--quiet", "--batch", "64", "--concurrency", "2", "--count", "50",
        "--warmup", "0s");
    JsonObject r = o.getAsJsonArray("results").get(0).getAsJsonObject();
    assertEquals("zxd-batch-quiet", r.get("name").getAsString());
    long ops = r.get("ops").getAsLong();
    assertTrue(ops >= 50 && ops < 50 + 2, "every batch completed, on its one reply: " + ops);
  }

  @Test
  void sessions() throws Exception {
    JsonObject o = result("sessions", "--processes", "20", "--handles", "10", "--concurrency", "4");
    JsonObject r = o.getAsJsonArray("results").get(0).getAsJsonObject();
    assertEquals(20, r.get("ops").getAsLong(), "one operation per process");
    JsonObject extra = r.getAsJsonObject("extra");
    assertEquals(200, extra.get("handles_total").getAsLong());
    // Debug Stats saw them all (the daemon's own handles count covers every process's table).
    assertTrue(extra.get("after_create_daemon_handles").getAsLong() >= 200, extra::toString);
    assertTrue(extra.get("exit_seconds").getAsDouble() > 0);
  }

  @Test
  void waits() throws Exception {
    JsonObject o = result("waits", "--waits", "1000", "--processes", "4");
    JsonArray results = o.getAsJsonArray("results");
    assertEquals(2, results.size(), "complete and register");
    assertEquals(1000, results.get(0).getAsJsonObject().get("ops").getAsLong());
    JsonObject extra = results.get(0).getAsJsonObject().getAsJsonObject("extra");
    assertTrue(extra.get("register_seconds").getAsDouble() > 0);
    assertTrue(extra.get("complete_seconds").getAsDouble() > 0);
  }

  @Test
  void syscallCountBounded() throws Exception {
    JsonObject o = result("syscall", "--mode", "stream", "--concurrency", "8", "--count", "500", "--warmup", "0s");
    long ops = o.getAsJsonArray("results").get(0).getAsJsonObject().get("ops").getAsLong();
    assertTrue(ops >= 500 && ops < 500 + 8, "stops at the count: " + ops);
  }

  @Test
  void progressLinesAndUsageErrors() throws Exception {
    Run r = bench("pingpong", "--duration", "1200ms", "--warmup", "0s");
    assertTrue(r.err.contains("ops/s"), "progress once a second on stderr: " + r.err);
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new Zxctl());
    cl.setErr(new PrintWriter(err, true));
    cl.setOut(new PrintWriter(new StringWriter(), true));
    assertEquals(2, cl.execute("bench", "--target", ZXD.target()), "no pattern: usage error");
    assertEquals(2, cl.execute("bench", "nosuch", "--target", ZXD.target()));
  }
}
