package dev.zxd.client.polyglot;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * The OS processes a test spawns: their output is captured (stdout and stderr, line by line, tagged with the
 * process's name) and attached to the failure when the test fails; after each test any that still run are
 * killed. Register it as an instance field with {@code @RegisterExtension}.
 */
final class OsProcesses implements AfterEachCallback, TestExecutionExceptionHandler {
  private final List<OsProcess> started = new ArrayList<>();

  /** Starts {@code command} in {@code dir} with {@code env} added to this JVM's environment. */
  synchronized OsProcess start(String name, List<String> command, Path dir, Map<String, String> env) {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    try {
      OsProcess p = new OsProcess(name, pb.start());
      started.add(p);
      return p;
    } catch (IOException e) {
      throw new AssertionError("cannot start " + name + ": " + command, e);
    }
  }

  synchronized String transcript() {
    StringBuilder sb = new StringBuilder();
    for (OsProcess p : started) {
      sb.append("\n---- ").append(p.name).append(" (").append(p.describeState()).append(") ----\n")
          .append(p.output());
    }
    return sb.toString();
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
    String transcript = transcript();
    if (transcript.isEmpty()) {
      throw failure;
    }
    AssertionError withOutput = new AssertionError(failure.getMessage() + "\n" + transcript, failure);
    throw withOutput;
  }

  @Override
  public synchronized void afterEach(ExtensionContext context) {
    for (OsProcess p : started) {
      p.close();
    }
    started.clear();
  }

  /** One spawned OS process. */
  static final class OsProcess implements AutoCloseable {
    final String name;
    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private final Thread pump;

    OsProcess(String name, Process process) throws IOException {
      this.name = name;
      this.process = process;
      process.getOutputStream().close();
      this.pump = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            output.append(line).append('\n');
          }
        } catch (IOException e) {
          output.append("(output lost: ").append(e).append(")\n");
        }
      }, "output-" + name);
      pump.setDaemon(true);
      pump.start();
    }

    long pid() {
      return process.pid();
    }

    boolean isAlive() {
      return process.isAlive();
    }

    /** Everything it printed so far. */
    String output() {
      return output.toString();
    }

    String describeState() {
      return process.isAlive() ? "pid " + process.pid() + ", still running"
          : "pid " + process.pid() + ", exit " + process.exitValue();
    }

    /** Waits for it to end and returns its exit code; if it outlives {@code timeout}, kills it and fails. */
    int awaitExit(Duration timeout) throws InterruptedException {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        throw new AssertionError(name + " did not exit within " + timeout + "; killed it");
      }
      pump.join(5_000); // the rest of its output
      return process.exitValue();
    }

    /** SIGKILL, as {@code kill -9}: the client vanishes without a word to the daemon. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
      if (process.isAlive()) {
        process.destroyForcibly();
        try {
          process.waitFor(5, TimeUnit.SECONDS);
          pump.join(2_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
