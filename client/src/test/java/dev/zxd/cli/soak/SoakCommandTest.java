package dev.zxd.cli.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * {@code zxctl soak} for a couple of seconds against a daemon in this JVM: every check passes (nothing lost,
 * duplicated, reordered or leaked), ends really moved by all three means, processes really came and went, and
 * the JSON is well formed. The extension also fails the test if the soak left kernel objects behind.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SoakCommandTest {
  @RegisterExtension
  static final ZxdExtension ZXD = ZxdExtension.tcp();

  @TempDir
  Path dir;

  private record Run(int exit, String out, String err) {}

  private Run soak(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("soak", "--target", ZXD.target()));
    all.addAll(List.of(args));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new Zxctl());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = CompletableFuture.supplyAsync(() -> cl.execute(all.toArray(String[]::new)))
        .get(100, TimeUnit.SECONDS);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void aShortSoakPassesEveryCheck() throws Exception {
    Path json = dir.resolve("soak.json");
    Run r = soak("--processes", "6", "--duration", "2s", "--churn", "200ms", "--move-chance", "0.2",
        "--seed", "42", "--json", json.toString());
    assertEquals(0, r.exit, () -> "soak failed\nstdout:\n" + r.out + "\nstderr:\n" + r.err);
    assertTrue(r.out.startsWith("result"), r.out);
    assertTrue(r.out.contains("PASS"), r.out);
    assertTrue(r.err.contains("soak: seed 42"), r.err);

    JsonObject o = JsonParser.parseString(Files.readString(json, StandardCharsets.UTF_8)).getAsJsonObject();
    assertTrue(o.get("passed").getAsBoolean());
    JsonObject m = o.getAsJsonObject("messages");
    assertTrue(m.get("sent").getAsLong() > 0, "messages flowed");
    assertEquals(m.get("sent").getAsLong(), m.get("received").getAsLong(), "every message sent was received");
    for (String k : List.of("lost", "duplicated", "reordered", "unexpected")) {
      assertEquals(0, m.get(k).getAsLong(), k);
    }
    JsonObject h = o.getAsJsonObject("handoffs");
    assertTrue(h.get("moves").getAsLong() > 0, "ends MOVEd over channels");
    assertTrue(h.get("shares").getAsLong() > 0, "datagram sockets shared and accepted");
    assertTrue(h.get("tokens").getAsLong() > 0, "sockets handed over by protocol-info token");
    JsonObject p = o.getAsJsonObject("processes");
    assertTrue(p.get("joined").getAsLong() > 0 && p.get("exited").getAsLong() > 0, "processes came and went");
    assertEquals(0, p.get("exited_by_force").getAsLong());
    JsonObject pc = o.getAsJsonObject("peer_closed");
    assertTrue(pc.get("seen").getAsLong() > 0, "survivors saw PEER_CLOSED");
    assertEquals(0, pc.get("missing").getAsLong());
    JsonObject l = o.getAsJsonObject("leaks");
    assertTrue(l.get("koids_checked").getAsLong() > 6, "the objects of every process were checked");
    assertEquals(0, l.get("objects").getAsLong());
    assertEquals(0, l.get("processes").getAsLong());
    assertEquals(0, l.get("objects_delta").getAsLong());
    assertEquals(0, l.get("handles_delta").getAsLong());
    assertEquals(0, o.getAsJsonArray("problems").size(), o.getAsJsonArray("problems").toString());
  }

  @Test
  void badArgumentsAreUsageErrors() throws Exception {
    Run r = soak("--processes", "1");
    assertEquals(2, r.exit, r.err);
    assertTrue(r.err.contains("--processes must be >= 2"), r.err);
  }
}
