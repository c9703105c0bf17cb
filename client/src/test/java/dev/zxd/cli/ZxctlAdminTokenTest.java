package dev.zxd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.zxd.client.ZxProcess;
import dev.zxd.client.Zxd;
import dev.zxd.daemon.Settings;
import dev.zxd.daemon.ZxdServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A daemon with an admin token: zxctl without it, or with a wrong one, is refused clearly; with it, works. */
class ZxctlAdminTokenTest {
  private static ZxdServer server;
  private static String target;

  @BeforeAll
  static void start() throws Exception {
    // Configured as the daemon's main does, so Stats reports the settings in force.
    server = ZxdServer.builder().settings(Settings.resolve(Map.of(),
        List.of("--listen", "127.0.0.1:0", "--admin-token", "s3cret", "--lease", "45s"))).start();
    target = server.addresses().get(0).toString();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void withoutTheTokenEveryDebugCommandIsRefused() {
    for (List<String> command : List.of(List.of("ps"), List.of("handles", "1"), List.of("object", "1"),
        List.of("stats"), List.of("trace", "--count", "1"), List.of("ps", "--json"))) {
      String[] args = concat(command, "--target", target);
      Cli.Result r = Cli.run(args);
      assertEquals(Zxctl.EXIT_DENIED, r.exit(), command + ": " + r.err());
      assertEquals("", r.out());
      assertEquals("zxctl: the daemon at " + target + " refused the Debug call: this daemon requires its admin "
          + "token in the zx-admin metadata for Debug calls (give its admin token with --admin-token or "
          + "ZXD_ADMIN_TOKEN)", r.err().strip(), command.toString());
    }
  }

  @Test
  void aWrongTokenIsRefused() {
    Cli.Result r = Cli.run("ps", "--admin-token", "guess", "--target", target);
    assertEquals(Zxctl.EXIT_DENIED, r.exit());
    assertTrue(r.err().strip().endsWith("(the admin token given is wrong)"), r.err());
    assertFalse(r.err().contains("guess"), "the token is not echoed");
  }

  @Test
  void withTheTokenTheCommandsWork() {
    try (Zxd zxd = Zxd.connect(target); ZxProcess p = zxd.createProcess("admin-test")) {
      List<Map<String, String>> rows = Cli.table(
          Cli.run("ps", "--admin-token", "s3cret", "--target", target).ok().out());
      assertEquals(1, rows.size());
      assertEquals(String.valueOf(p.koid()), rows.get(0).get("PID"));
      assertEquals("admin-test", rows.get(0).get("NAME"));

      Cli.Result stats = Cli.run("stats", "--admin-token", "s3cret", "--target", target).ok();
      Map<String, String> kv = Cli.keyValues(stats.out());
      assertEquals("1", kv.get("processes"));
      assertEquals("(set)", kv.get("  admin-token"));
      assertEquals("45s", kv.get("  lease"));
      assertEquals("10s", kv.get("  grace-period"));
      assertEquals("127.0.0.1:0", kv.get("  listen"));
      assertFalse(stats.out().contains("s3cret"), "never printed");
    }
  }

  @Test
  void benchRunsWithoutTheTokenAndLeavesOutOnlyTheDaemonsCpu(@TempDir Path dir) throws Exception {
    Path without = dir.resolve("without.json");
    Path with = dir.resolve("with.json");
    Cli.run("bench", "syscall", "--duration", "200ms", "--warmup", "0s", "--no-progress", "--json",
        without.toString(), "--target", target).ok();
    Cli.run("bench", "syscall", "--duration", "200ms", "--warmup", "0s", "--no-progress", "--json",
        with.toString(), "--admin-token", "s3cret", "--target", target).ok();

    JsonObject refused = firstResult(without);
    assertTrue(refused.get("client_cpu_us_per_op").getAsDouble() > 0, refused::toString);
    assertFalse(refused.has("daemon_cpu_us_per_op"), "the daemon would not say: " + refused);
    JsonObject allowed = firstResult(with);
    assertTrue(allowed.get("daemon_cpu_us_per_op").getAsDouble() > 0, allowed::toString);
  }

  private static JsonObject firstResult(Path json) throws Exception {
    return JsonParser.parseString(Files.readString(json)).getAsJsonObject().getAsJsonArray("results").get(0)
        .getAsJsonObject();
  }

  private static String[] concat(List<String> head, String... tail) {
    String[] all = new String[head.size() + tail.length];
    for (int i = 0; i < head.size(); i++) {
      all[i] = head.get(i);
    }
    System.arraycopy(tail, 0, all, head.size(), tail.length);
    return all;
  }
}
