package dev.zxd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Tools outside the JVM some tests call (promtool, buf). CI installs them (.ci/run); locally a missing tool
 * fails the test with what to install, unless ZXD_SKIP_EXTERNAL_TOOLS=1 makes it a visible skip.
 */
final class ExternalTools {
  private ExternalTools() {}

  /** The tool's path: $ENV_VAR, then PATH, then /opt/zxd-tools (where .ci/run puts npm tools). */
  static String find(String name, String envVar, String installHint) {
    String configured = System.getenv(envVar);
    if (configured != null && new File(configured).canExecute()) {
      return configured;
    }
    for (String dir : (System.getenv("PATH") + File.pathSeparator + "/opt/zxd-tools/node_modules/.bin")
        .split(File.pathSeparator)) {
      File f = new File(dir, name);
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    String message = name + " is not installed: " + installHint + " (or set " + envVar + ")";
    if ("1".equals(System.getenv("ZXD_SKIP_EXTERNAL_TOOLS"))) {
      Assumptions.abort(message);
    }
    throw new AssertionError(message);
  }

  /** Runs a command (bounded: 120 s) with {@code stdin}; returns its output, failing on a non-zero exit. */
  static String run(List<String> command, String stdin) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (stdin != null) {
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command + " did not finish in 120 s");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), command + " failed:\n" + text);
    return text;
  }

  static void promtoolCheck(String exposition) throws IOException, InterruptedException {
    String promtool = find("promtool", "ZXD_PROMTOOL", "apt-get install prometheus");
    List<String> cmd = new ArrayList<>(List.of(promtool, "check", "metrics"));
    run(cmd, exposition);
  }
}
