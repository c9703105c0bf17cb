package dev.zxd.client.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zxd.client.Channel;
import dev.zxd.client.ProcessHandle;
import dev.zxd.client.Zxd;
import dev.zxd.client.ZxProcess;
import dev.zxd.kernel.KernelConfig;
import dev.zxd.proto.v1.Signal;
import dev.zxd.testing.ZxdExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Java client in another JVM is killed with SIGKILL while it holds a channel end: the daemon keeps its
 * process for the grace period (the client might reconnect), then kills it, and the peer sees PEER_CLOSED.
 */
class ClientKilledTest {
  private static final Duration GRACE = Duration.ofMillis(500);

  @RegisterExtension
  static final ZxdExtension ZXD = ZxdExtension.tcp().withConfig(KernelConfig.DEFAULTS.withGracePeriod(GRACE));

  private Process jvm;

  @AfterEach
  void reap() throws InterruptedException {
    if (jvm != null && jvm.isAlive()) {
      jvm.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void killedClientsProcessDiesAfterTheGracePeriodAndItsPeerSeesPeerClosed() throws Exception {
    try (Zxd zxd = Zxd.connect(ZXD.target()); ZxProcess parent = zxd.createProcess("parent")) {
      ProcessHandle.Child child = parent.createChild("holder");
      Channel.Pair pair = parent.createChannel();
      child.handle().start(pair.end1());

      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      jvm = new ProcessBuilder(List.of(java, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
          HoldingClient.class.getName(), ZXD.target(), child.sessionToken())).redirectErrorStream(true).start();
      jvm.getOutputStream().close();
      BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
      CompletableFuture<String> holding = CompletableFuture.supplyAsync(() -> {
        try {
          for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith("holding ")) {
              return line;
            }
          }
          return null;
        } catch (java.io.IOException e) {
          return null;
        }
      });
      assertNotNull(holding.get(60, TimeUnit.SECONDS), "the client JVM attached and holds its end");
      assertEquals(0, pair.end0().signals() & Signal.ZX_CHANNEL_PEER_CLOSED_VALUE, "alive while it runs");

      long killedAt = System.nanoTime();
      jvm.destroyForcibly(); // SIGKILL: no Exit, no orderly close of the connection
      assertTrue(jvm.waitFor(10, TimeUnit.SECONDS));
      assertEquals(128 + 9, jvm.exitValue(), "died of SIGKILL");

      int observed = pair.end0().waitOne(Signal.ZX_CHANNEL_PEER_CLOSED_VALUE,
          parent.deadlineAfter(Duration.ofSeconds(20)));
      long sawAfterMs = (System.nanoTime() - killedAt) / 1_000_000;
      assertTrue((observed & Signal.ZX_CHANNEL_PEER_CLOSED_VALUE) != 0);
      assertTrue(sawAfterMs >= GRACE.toMillis() - 50, "PEER_CLOSED only after the grace period, saw it after "
          + sawAfterMs + " ms");
      child.handle().awaitTermination(parent.deadlineAfter(Duration.ofSeconds(10)));
      assertEquals(null, ZXD.kernel().processes().get(child.processId()), "the killed client's process is gone");
    }
  }
}
