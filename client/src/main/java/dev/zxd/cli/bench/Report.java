package dev.zxd.cli.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/** The result of one bench run, as a table, as JSON, and as an HTML page with the latency distribution. */
final class Report {
  static final double[] PERCENTILES = {50, 90, 99, 99.9};
  /** A run with more steal time than this gets a note under the table, and its round no say in medians. */
  static final double STEAL_WARNING_PERCENT = 5;

  /** One zxd figure against one baseline. */
  record Ratio(Measurement zxd, Measurement baseline) {
    double throughput() {
      return div(zxd.opsPerSecond(), baseline.opsPerSecond());
    }

    double mb() {
      return zxd.bytes > 0 && baseline.bytes > 0 ? div(zxd.mbPerSecond(), baseline.mbPerSecond()) : 0;
    }

    double latency(double p) {
      return div(zxd.us(p), baseline.us(p));
    }

    /** Both processes' CPU time per operation, zxd's over the baseline's; NaN unless all four are known. */
    double cpuPerOp() {
      double z = zxd.cpuUsPerOp();
      double b = baseline.cpuUsPerOp();
      return Double.isNaN(z) || Double.isNaN(b) || b == 0 ? Double.NaN : z / b;
    }

    /** Whether the host took too much CPU during either run for the ratio to say much (unknown steal: no). */
    boolean noisy() {
      return zxd.stealPercent > STEAL_WARNING_PERCENT || baseline.stealPercent > STEAL_WARNING_PERCENT;
    }
  }

  final String pattern;
  final Map<String, Object> parameters;
  final String target;
  final Map<String, Object> machine;
  final List<Measurement> results;
  final List<Measurement> baselines;
  final List<Ratio> ratios = new ArrayList<>();
  /** With several rounds: per (zxd figure, baseline) of a round, the median of each ratio over the rounds. */
  final List<MedianRatio> medians = new ArrayList<>();

  /**
   * The median over rounds of one zxd figure's ratios to one baseline; names without the round suffix. Rounds
   * in which the host stole more than {@link #STEAL_WARNING_PERCENT} of the CPU are set aside, unless every
   * round was like that. {@code rounds} counts the rounds the median is taken over. {@code cpuPerOp} is the
   * median over those of them whose CPU times are known; NaN if none are.
   */
  record MedianRatio(String zxd, String baseline, int rounds, int setAside, double throughput, double mb,
      double p50, double p99, double cpuPerOp) {}

  Report(String pattern, Map<String, Object> parameters, String target, Map<String, Object> machine,
      List<Measurement> results, List<Measurement> baselines) {
    this(pattern, parameters, target, machine, results, baselines, 1);
  }

  /** {@code results} and {@code baselines} hold {@code rounds} equal rounds in turn; ratios pair within a round. */
  Report(String pattern, Map<String, Object> parameters, String target, Map<String, Object> machine,
      List<Measurement> results, List<Measurement> baselines, int rounds) {
    this.pattern = pattern;
    this.parameters = parameters;
    this.target = target;
    this.machine = machine;
    this.results = results;
    this.baselines = baselines;
    int perRound = results.size() / rounds;
    int basePerRound = baselines.size() / rounds;
    for (int r = 0; r < rounds; r++) {
      for (Measurement z : results.subList(r * perRound, (r + 1) * perRound)) {
        for (Measurement b : baselines.subList(r * basePerRound, (r + 1) * basePerRound)) {
          ratios.add(new Ratio(z, b));
        }
      }
    }
    if (rounds > 1) {
      int pairs = perRound * basePerRound;
      for (int k = 0; k < pairs; k++) {
        List<Ratio> all = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
          all.add(ratios.get(r * pairs + k));
        }
        List<Ratio> same = all.stream().filter(x -> !x.noisy()).toList();
        if (same.isEmpty()) {
          same = all;
        }
        medians.add(new MedianRatio(unsuffixed(all.get(0).zxd.name), unsuffixed(all.get(0).baseline.name),
            same.size(), rounds - same.size(), median(same, Ratio::throughput), median(same, Ratio::mb),
            median(same, x -> x.latency(50)), median(same, x -> x.latency(99)),
            median(same.stream().filter(x -> !Double.isNaN(x.cpuPerOp())).toList(), Ratio::cpuPerOp)));
      }
    }
  }

  private static String unsuffixed(String name) {
    int hash = name.lastIndexOf('#');
    return hash < 0 ? name : name.substring(0, hash);
  }

  private static double median(List<Ratio> xs, java.util.function.ToDoubleFunction<Ratio> f) {
    if (xs.isEmpty()) {
      return Double.NaN;
    }
    double[] v = xs.stream().mapToDouble(f).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  static double div(double a, double b) {
    return b == 0 ? 0 : a / b;
  }

  static String transport(String target) {
    if (target.startsWith("unix:")) {
      return "unix";
    }
    if (target.startsWith("inprocess:")) {
      return "inprocess";
    }
    return "tcp";
  }

  // ---- table ----

  void printTable(PrintWriter out) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"run", "ops", "seconds", "ops/s", "MB/s", "p50 µs", "p90 µs", "p99 µs", "p99.9 µs",
        "max µs", "steal %", "client cpu µs/op", "daemon cpu µs/op"});
    List<Measurement> all = new ArrayList<>(results);
    all.addAll(baselines);
    for (Measurement m : all) {
      rows.add(new String[] {m.name, String.valueOf(m.ops), f(m.seconds(), 2), f(m.opsPerSecond(), 0),
          m.bytes > 0 ? f(m.mbPerSecond(), 1) : "-", f(m.us(50), 1), f(m.us(90), 1), f(m.us(99), 1),
          f(m.us(99.9), 1), f(m.maxUs(), 1), Double.isNaN(m.stealPercent) ? "-" : f(m.stealPercent, 1),
          orDash(m.clientCpuUsPerOp(), 1), orDash(m.daemonCpuUsPerOp(), 1)});
    }
    print(out, rows);
    double worst = all.stream().mapToDouble(m -> m.stealPercent).filter(x -> !Double.isNaN(x)).max().orElse(0);
    if (worst > STEAL_WARNING_PERCENT) {
      out.println("note: the hypervisor took " + f(worst, 1) + " % of the CPU time during a run (steal %);"
          + " figures from such runs say more about the host than about zxd");
    }
    if (!ratios.isEmpty()) {
      out.println();
      List<String[]> r = new ArrayList<>();
      r.add(new String[] {"ratio", "throughput", "MB/s", "p50", "p99", "cpu/op"});
      for (Ratio x : ratios) {
        r.add(new String[] {x.zxd.name + " / " + x.baseline.name, "x" + f(x.throughput(), 3),
            x.mb() > 0 ? "x" + f(x.mb(), 3) : "-", "x" + f(x.latency(50), 3), "x" + f(x.latency(99), 3),
            times(x.cpuPerOp())});
      }
      print(out, r);
    }
    if (!medians.isEmpty()) {
      out.println();
      List<String[]> r = new ArrayList<>();
      r.add(new String[] {"median over rounds", "throughput", "MB/s", "p50", "p99", "cpu/op", "rounds"});
      for (MedianRatio x : medians) {
        r.add(new String[] {x.zxd() + " / " + x.baseline(), "x" + f(x.throughput(), 3),
            x.mb() > 0 ? "x" + f(x.mb(), 3) : "-", "x" + f(x.p50(), 3), "x" + f(x.p99(), 3), times(x.cpuPerOp()),
            x.rounds() + (x.setAside() > 0 ? " (" + x.setAside() + " set aside: steal)" : "")});
      }
      print(out, r);
    }
    for (Measurement m : results) {
      if (!m.extra.isEmpty()) {
        out.println();
        List<String[]> kv = new ArrayList<>();
        for (Map.Entry<String, Object> e : m.extra.entrySet()) {
          Object v = e.getValue();
          kv.add(new String[] {m.name + "." + e.getKey(), v instanceof Double d ? f(d, 3) : String.valueOf(v)});
        }
        print(out, kv);
      }
    }
    out.flush();
  }

  /** Columns two spaces apart, each as wide as its widest cell, no trailing blanks (as zxctl's tables). */
  private static void print(PrintWriter out, List<String[]> rows) {
    int cols = rows.get(0).length;
    int[] w = new int[cols];
    for (String[] r : rows) {
      for (int i = 0; i < cols; i++) {
        w[i] = Math.max(w[i], r[i].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < cols; i++) {
        sb.append(r[i]);
        if (i < cols - 1) {
          sb.append(" ".repeat(w[i] - r[i].length() + 2));
        }
      }
      out.println(sb.toString().stripTrailing());
    }
  }

  static String f(double v, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  private static String orDash(double v, int decimals) {
    return Double.isNaN(v) ? "-" : f(v, decimals);
  }

  private static String times(double ratio) {
    return Double.isNaN(ratio) ? "-" : "x" + f(ratio, 3);
  }

  // ---- JSON ----

  String json() {
    JsonObject o = new JsonObject();
    o.addProperty("pattern", pattern);
    o.add("parameters", map(parameters));
    JsonObject t = new JsonObject();
    t.addProperty("target", target);
    t.addProperty("transport", transport(target));
    o.add("transport", t);
    o.add("machine", map(machine));
    JsonArray rs = new JsonArray();
    results.forEach(m -> rs.add(measurement(m)));
    o.add("results", rs);
    if (!results.isEmpty()) {
      Measurement first = results.get(0);
      o.addProperty("throughput_ops_per_second", first.opsPerSecond());
      if (first.bytes > 0) {
        o.addProperty("throughput_mb_per_second", first.mbPerSecond());
      }
      o.add("latency_us", latency(first));
    }
    JsonArray bs = new JsonArray();
    baselines.forEach(m -> bs.add(measurement(m)));
    o.add("baseline", bs);
    JsonArray ra = new JsonArray();
    for (Ratio x : ratios) {
      JsonObject j = new JsonObject();
      j.addProperty("zxd", x.zxd.name);
      j.addProperty("baseline", x.baseline.name);
      j.addProperty("throughput_ratio", x.throughput());
      if (x.mb() > 0) {
        j.addProperty("mb_per_second_ratio", x.mb());
      }
      j.addProperty("p50_latency_ratio", x.latency(50));
      j.addProperty("p99_latency_ratio", x.latency(99));
      if (!Double.isNaN(x.cpuPerOp())) {
        j.addProperty("cpu_per_op_ratio", x.cpuPerOp());
      }
      ra.add(j);
    }
    o.add("ratios", ra);
    if (!medians.isEmpty()) {
      JsonArray ma = new JsonArray();
      for (MedianRatio x : medians) {
        JsonObject j = new JsonObject();
        j.addProperty("zxd", x.zxd());
        j.addProperty("baseline", x.baseline());
        j.addProperty("rounds", x.rounds());
        j.addProperty("rounds_set_aside", x.setAside());
        j.addProperty("throughput_ratio", x.throughput());
        if (x.mb() > 0) {
          j.addProperty("mb_per_second_ratio", x.mb());
        }
        j.addProperty("p50_latency_ratio", x.p50());
        j.addProperty("p99_latency_ratio", x.p99());
        if (!Double.isNaN(x.cpuPerOp())) {
          j.addProperty("cpu_per_op_ratio", x.cpuPerOp());
        }
        ma.add(j);
      }
      o.add("median_ratios", ma);
    }
    return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(o);
  }

  private static JsonObject measurement(Measurement m) {
    JsonObject j = new JsonObject();
    j.addProperty("name", m.name);
    j.addProperty("description", m.description);
    j.addProperty("ops", m.ops);
    j.addProperty("seconds", m.seconds());
    j.addProperty("ops_per_second", m.opsPerSecond());
    j.addProperty("bytes", m.bytes);
    j.addProperty("mb_per_second", m.mbPerSecond());
    j.add("latency_us", latency(m));
    JsonArray buckets = new JsonArray();
    for (double[] b : buckets(m.latency)) {
      JsonObject x = new JsonObject();
      x.addProperty("le_us", b[0]);
      x.addProperty("count", (long) b[1]);
      buckets.add(x);
    }
    j.add("histogram_buckets", buckets);
    j.add("extra", map(m.extra));
    if (!Double.isNaN(m.stealPercent)) {
      j.addProperty("steal_percent", m.stealPercent);
    }
    if (!Double.isNaN(m.clientCpuUsPerOp())) {
      j.addProperty("client_cpu_us_per_op", m.clientCpuUsPerOp());
    }
    if (!Double.isNaN(m.daemonCpuUsPerOp())) {
      j.addProperty("daemon_cpu_us_per_op", m.daemonCpuUsPerOp());
    }
    return j;
  }

  private static JsonObject latency(Measurement m) {
    JsonObject l = new JsonObject();
    l.addProperty("p50", m.us(50));
    l.addProperty("p90", m.us(90));
    l.addProperty("p99", m.us(99));
    l.addProperty("p99_9", m.us(99.9));
    l.addProperty("max", m.maxUs());
    l.addProperty("mean", m.meanUs());
    l.addProperty("count", m.latency.getTotalCount());
    return l;
  }

  private static JsonObject map(Map<String, Object> values) {
    JsonObject o = new JsonObject();
    for (Map.Entry<String, Object> e : values.entrySet()) {
      o.add(e.getKey(), element(e.getValue()));
    }
    return o;
  }

  private static JsonElement element(Object v) {
    if (v == null) {
      return com.google.gson.JsonNull.INSTANCE;
    }
    if (v instanceof Number n) {
      return new JsonPrimitive(n);
    }
    if (v instanceof Boolean b) {
      return new JsonPrimitive(b);
    }
    return new JsonPrimitive(String.valueOf(v));
  }

  /** Logarithmic buckets (upper bound in µs, doubling from 1 µs) with their counts; empty buckets left out. */
  static List<double[]> buckets(Histogram h) {
    List<double[]> out = new ArrayList<>();
    if (h.getTotalCount() == 0) {
      return out;
    }
    for (HistogramIterationValue v : h.logarithmicBucketValues(1000, 2.0)) {
      if (v.getCountAddedInThisIterationStep() > 0) {
        out.add(new double[] {v.getValueIteratedTo() / 1000.0, v.getCountAddedInThisIterationStep()});
      }
    }
    return out;
  }

  // ---- HTML ----

  static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};

  String html() {
    StringBuilder sb = new StringBuilder();
    sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>zxctl bench ")
        .append(esc(pattern)).append("</title>\n<style>body{font-family:sans-serif;margin:2em;color:#222}"
            + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
            + "text-align:right}th{background:#f3f3f3}td:first-child{text-align:left}"
            + "svg text{font-family:sans-serif;font-size:11px}</style></head><body>\n");
    sb.append("<h1>zxctl bench ").append(esc(pattern)).append("</h1>\n<p>target <code>").append(esc(target))
        .append("</code> (").append(transport(target)).append(")");
    for (Map.Entry<String, Object> e : parameters.entrySet()) {
      sb.append(" · ").append(esc(e.getKey())).append(" ").append(esc(String.valueOf(e.getValue())));
    }
    sb.append("</p>\n<p>machine: ");
    machine.forEach((k, v) -> sb.append(esc(k)).append(" ").append(esc(String.valueOf(v))).append(" · "));
    sb.append("</p>\n<table><tr><th>run</th><th>ops</th><th>ops/s</th><th>MB/s</th><th>p50 µs</th><th>p90 µs</th>"
        + "<th>p99 µs</th><th>p99.9 µs</th><th>max µs</th><th>client cpu µs/op</th><th>daemon cpu µs/op</th>"
        + "</tr>\n");
    List<Measurement> all = new ArrayList<>(results);
    all.addAll(baselines);
    for (Measurement m : all) {
      sb.append("<tr><td>").append(esc(m.name)).append("</td><td>").append(m.ops).append("</td><td>")
          .append(f(m.opsPerSecond(), 0)).append("</td><td>").append(m.bytes > 0 ? f(m.mbPerSecond(), 1) : "-")
          .append("</td><td>").append(f(m.us(50), 1)).append("</td><td>").append(f(m.us(90), 1))
          .append("</td><td>").append(f(m.us(99), 1)).append("</td><td>").append(f(m.us(99.9), 1))
          .append("</td><td>").append(f(m.maxUs(), 1)).append("</td><td>").append(orDash(m.clientCpuUsPerOp(), 1))
          .append("</td><td>").append(orDash(m.daemonCpuUsPerOp(), 1)).append("</td></tr>\n");
    }
    sb.append("</table>\n");
    if (!ratios.isEmpty()) {
      sb.append("<table><tr><th>zxd / baseline</th><th>throughput</th><th>MB/s</th><th>p50</th><th>p99</th>"
          + "<th>cpu/op</th></tr>\n");
      for (Ratio x : ratios) {
        sb.append("<tr><td>").append(esc(x.zxd.name + " / " + x.baseline.name)).append("</td><td>×")
            .append(f(x.throughput(), 3)).append("</td><td>").append(x.mb() > 0 ? "×" + f(x.mb(), 3) : "-")
            .append("</td><td>×").append(f(x.latency(50), 3)).append("</td><td>×").append(f(x.latency(99), 3))
            .append("</td><td>").append(Double.isNaN(x.cpuPerOp()) ? "-" : "×" + f(x.cpuPerOp(), 3))
            .append("</td></tr>\n");
      }
      sb.append("</table>\n");
    }
    sb.append("<h2>Latency by percentile</h2>\n").append(percentileSvg(all));
    sb.append("<h2>Latency histogram</h2>\n").append(histogramSvg(all));
    for (Measurement m : all) {
      sb.append("<p><b>").append(esc(m.name)).append("</b>: ").append(esc(m.description)).append("</p>\n");
    }
    sb.append("</body></html>\n");
    return sb.toString();
  }

  private static final int W = 760;
  private static final int H = 360;
  private static final int L = 70;
  private static final int R = 180;
  private static final int T = 20;
  private static final int B = 50;

  /** Latency (log scale) against percentile, with 1/(1-p) on a log axis: 0, 90, 99, 99.9, 99.99 %. */
  static String percentileSvg(List<Measurement> ms) {
    double maxUs = 1;
    double minUs = Double.MAX_VALUE;
    for (Measurement m : ms) {
      if (m.latency.getTotalCount() > 0) {
        maxUs = Math.max(maxUs, m.maxUs());
        minUs = Math.min(minUs, Math.max(0.1, m.latency.getMinValue() / 1000.0));
      }
    }
    if (minUs == Double.MAX_VALUE) {
      minUs = 1;
    }
    double yLo = Math.floor(Math.log10(minUs));
    double yHi = Math.max(yLo + 1, Math.ceil(Math.log10(maxUs)));
    double xHi = 5; // 99.999 %
    StringBuilder sb = new StringBuilder();
    sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(H)
        .append("\" viewBox=\"0 0 ").append(W).append(' ').append(H).append("\" role=\"img\">\n");
    sb.append("<rect x=\"0\" y=\"0\" width=\"").append(W).append("\" height=\"").append(H)
        .append("\" fill=\"white\"/>\n");
    int pw = W - L - R;
    int ph = H - T - B;
    String[] xl = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};
    for (int i = 0; i <= 5; i++) {
      double x = L + pw * i / xHi;
      sb.append(line(x, T, x, T + ph, "#eee")).append(text(x, T + ph + 15, xl[i], "middle"));
    }
    for (double e = yLo; e <= yHi; e++) {
      double y = T + ph - ph * (e - yLo) / (yHi - yLo);
      sb.append(line(L, y, L + pw, y, "#eee")).append(text(L - 5, y + 4, us(Math.pow(10, e)), "end"));
    }
    sb.append(text(L + pw / 2.0, H - 10, "percentile", "middle"));
    sb.append("<text x=\"14\" y=\"").append(T + ph / 2).append("\" transform=\"rotate(-90 14 ").append(T + ph / 2)
        .append(")\" text-anchor=\"middle\">latency (log)</text>\n");
    int i = 0;
    for (Measurement m : ms) {
      String color = COLORS[i % COLORS.length];
      if (m.latency.getTotalCount() > 0) {
        StringBuilder pts = new StringBuilder();
        for (HistogramIterationValue v : m.latency.percentiles(5)) {
          double p = v.getPercentileLevelIteratedTo() / 100.0;
          double xv = p >= 1 ? xHi : Math.min(xHi, Math.log10(1 / (1 - p)));
          double yv = Math.log10(Math.max(Math.pow(10, yLo), v.getValueIteratedTo() / 1000.0));
          pts.append(f(L + pw * xv / xHi, 1)).append(',').append(f(T + ph - ph * (yv - yLo) / (yHi - yLo), 1))
              .append(' ');
        }
        sb.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\" points=\"")
            .append(pts.toString().trim()).append("\"/>\n");
      }
      sb.append("<rect x=\"").append(W - R + 10).append("\" y=\"").append(T + 18 * i).append("\" width=\"12\" "
          + "height=\"12\" fill=\"").append(color).append("\"/>").append(text(W - R + 28, T + 18 * i + 10,
              m.name, "start"));
      i++;
    }
    sb.append(line(L, T + ph, L + pw, T + ph, "#444")).append(line(L, T, L, T + ph, "#444"));
    sb.append("</svg>\n");
    return sb.toString();
  }

  /** Share of operations per latency bucket (doubling bucket widths), one bar group per bucket. */
  static String histogramSvg(List<Measurement> ms) {
    double lo = Double.MAX_VALUE;
    double hi = 0;
    for (Measurement m : ms) {
      for (double[] b : buckets(m.latency)) {
        lo = Math.min(lo, b[0]);
        hi = Math.max(hi, b[0]);
      }
    }
    StringBuilder sb = new StringBuilder();
    sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(H)
        .append("\" viewBox=\"0 0 ").append(W).append(' ').append(H).append("\" role=\"img\">\n");
    sb.append("<rect x=\"0\" y=\"0\" width=\"").append(W).append("\" height=\"").append(H)
        .append("\" fill=\"white\"/>\n");
    if (hi == 0) {
      sb.append(text(W / 2.0, H / 2.0, "no latencies recorded", "middle")).append("</svg>\n");
      return sb.toString();
    }
    int nb = (int) Math.round(Math.log(hi / lo) / Math.log(2)) + 1;
    int pw = W - L - R;
    int ph = H - T - B;
    double slot = (double) pw / nb;
    double bw = slot * 0.85 / Math.max(1, ms.size());
    for (double y = 0; y <= 1.0001; y += 0.25) {
      double yy = T + ph - ph * y;
      sb.append(line(L, yy, L + pw, yy, "#eee")).append(text(L - 5, yy + 4, f(y * 100, 0) + "%", "end"));
    }
    for (int k = 0; k < nb; k++) {
      if (nb <= 16 || k % 2 == 0) {
        sb.append(text(L + slot * (k + 0.5), T + ph + 15, "≤" + us(lo * Math.pow(2, k)), "middle"));
      }
    }
    int i = 0;
    for (Measurement m : ms) {
      String color = COLORS[i % COLORS.length];
      long total = m.latency.getTotalCount();
      for (double[] b : buckets(m.latency)) {
        int k = (int) Math.round(Math.log(b[0] / lo) / Math.log(2));
        double share = b[1] / total;
        double x = L + slot * k + slot * 0.075 + bw * i;
        sb.append("<rect x=\"").append(f(x, 1)).append("\" y=\"").append(f(T + ph - ph * share, 1))
            .append("\" width=\"").append(f(bw, 1)).append("\" height=\"").append(f(ph * share, 1))
            .append("\" fill=\"").append(color).append("\"><title>").append(esc(m.name)).append(" ≤")
            .append(us(b[0])).append(": ").append((long) b[1]).append("</title></rect>\n");
      }
      sb.append("<rect x=\"").append(W - R + 10).append("\" y=\"").append(T + 18 * i).append("\" width=\"12\" "
          + "height=\"12\" fill=\"").append(color).append("\"/>").append(text(W - R + 28, T + 18 * i + 10,
              m.name, "start"));
      i++;
    }
    sb.append(text(L + pw / 2.0, H - 10, "latency bucket (upper bound)", "middle"));
    sb.append(line(L, T + ph, L + pw, T + ph, "#444")).append(line(L, T, L, T + ph, "#444"));
    sb.append("</svg>\n");
    return sb.toString();
  }

  private static String us(double v) {
    if (v >= 1_000_000) {
      return f(v / 1_000_000, v >= 10_000_000 ? 0 : 1) + " s";
    }
    if (v >= 1000) {
      return f(v / 1000, v >= 10_000 ? 0 : 1) + " ms";
    }
    return f(v, v >= 10 ? 0 : 1) + " µs";
  }

  private static String line(double x1, double y1, double x2, double y2, String color) {
    return "<line x1=\"" + f(x1, 1) + "\" y1=\"" + f(y1, 1) + "\" x2=\"" + f(x2, 1) + "\" y2=\"" + f(y2, 1)
        + "\" stroke=\"" + color + "\"/>\n";
  }

  private static String text(double x, double y, String s, String anchor) {
    return "<text x=\"" + f(x, 1) + "\" y=\"" + f(y, 1) + "\" text-anchor=\"" + anchor + "\">" + esc(s)
        + "</text>\n";
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
