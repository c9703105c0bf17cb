package dev.zxd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zxd.client.Zxd;
import dev.zxd.daemon.ZxdServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import picocli.CommandLine;

/** Runs zxctl in this JVM with its output captured, and reads its tables back. */
final class Cli {
  /** What one run printed and returned. */
  record Result(int exit, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }

    Result ok() {
      assertEquals(0, exit, () -> "zxctl failed: exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err);
      assertEquals("", err, "nothing on stderr");
      return this;
    }
  }

  /** A run in the background (trace), with its command line for {@link TraceCommand#stop()}. */
  record Running(CommandLine commandLine, CompletableFuture<Result> result, StringWriter out) {
    TraceCommand trace() {
      return commandLine.getSubcommands().get("trace").getCommand();
    }

    /** Waits (bounded) for the command to end by itself (--count, --duration). */
    Result await() throws Exception {
      try {
        return result.get(30, TimeUnit.SECONDS);
      } finally {
        trace().stop(); // if the wait failed, do not leave the stream running
      }
    }

    /** Stops it (as Ctrl-C would, but cleanly) and waits for it to return. */
    Result stop() throws Exception {
      trace().stop();
      return result.get(30, TimeUnit.SECONDS);
    }
  }

  private static final ExecutorService BACKGROUND = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "zxctl-under-test");
    t.setDaemon(true);
    return t;
  });

  private Cli() {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Zxctl.newCommandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  /** Starts zxctl on another thread, writing its output through {@code sink} (null: a plain buffer). */
  static Running start(Writer sink, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Zxctl.newCommandLine();
    cl.setOut(new PrintWriter(sink == null ? out : sink, true));
    cl.setErr(new PrintWriter(err, true));
    CompletableFuture<Result> result = CompletableFuture.supplyAsync(() -> {
      int exit = cl.execute(args);
      return new Result(exit, out.toString(), err.toString());
    }, BACKGROUND);
    return new Running(cl, result, out);
  }

  /**
   * Waits until the daemon has no trace reader: a traced call made now is not recorded. (A reader that was
   * canceled goes away when the daemon sees the cancel.)
   */
  static void awaitNoTraceReader(ZxdServer server, Zxd connection) {
    Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> {
      long before = server.trace().recorded();
      connection.monotonicNow();
      return server.trace().recorded() == before;
    });
  }

  /**
   * Waits until a trace reader is registered, by making session-less Clock/GetMonotonic calls (process "-")
   * until one is recorded: exactly one such call is traced, the last.
   */
  static void awaitTraceReader(ZxdServer server, Zxd connection) {
    Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> {
      long before = server.trace().recorded();
      connection.monotonicNow();
      return server.trace().recorded() > before;
    });
  }

  /**
   * Reads an aligned table: columns start where their header words start; every cell must start exactly at
   * its column (left-aligned, nothing overflowing into it). Returns one map per row, header to cell.
   */
  static List<Map<String, String>> table(String out) {
    List<String> lines = out.lines().toList();
    assertTrue(!lines.isEmpty(), "a header row");
    String header = lines.get(0);
    List<Integer> starts = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < header.length(); i++) {
      if (header.charAt(i) != ' ' && (i == 0 || header.charAt(i - 1) == ' ')) {
        starts.add(i);
        int end = header.indexOf(' ', i);
        names.add(header.substring(i, end < 0 ? header.length() : end));
      }
    }
    List<Map<String, String>> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      Map<String, String> row = new LinkedHashMap<>();
      for (int c = 0; c < starts.size(); c++) {
        int start = starts.get(c);
        assertTrue(line.length() > start, () -> "row too short for its columns: '" + line + "'");
        assertNotEquals(' ', line.charAt(start), () -> "cell not at its column: '" + line + "'");
        assertTrue(start == 0 || line.charAt(start - 1) == ' ', () -> "a cell overflows: '" + line + "'");
        int end = c + 1 < starts.size() ? starts.get(c + 1) : line.length();
        row.put(names.get(c), line.substring(start, end).trim());
      }
      assertEquals(line.stripTrailing(), line, "no trailing blanks");
      rows.add(row);
    }
    return rows;
  }

  /** Reads a key/value listing: the values all start at one column. Keys keep their indentation. */
  static Map<String, String> keyValues(String out) {
    List<String> lines = out.lines().toList();
    int column = -1;
    for (String line : lines) {
      int gap = line.indexOf("  ", line.length() - line.stripLeading().length());
      if (gap >= 0) {
        int value = gap;
        while (value < line.length() && line.charAt(value) == ' ') {
          value++;
        }
        if (column < 0) {
          column = value;
        }
        assertEquals(column, value, () -> "values aligned: '" + line + "'");
      }
    }
    Map<String, String> map = new LinkedHashMap<>();
    for (String line : lines) {
      if (column < 0 || line.length() <= column) {
        map.put(line.stripTrailing(), "");
      } else {
        map.put(line.substring(0, column).stripTrailing(), line.substring(column));
      }
    }
    return map;
  }
}
