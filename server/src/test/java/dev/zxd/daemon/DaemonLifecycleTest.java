package dev.zxd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zxd.proto.v1.ProcessKeepAliveReply;
import dev.zxd.proto.v1.ProcessKeepAliveRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The daemon as an OS process: its command line, its config file, and SIGTERM draining to exit 0. */
class DaemonLifecycleTest {
  /** Starts {@code Main} in a child JVM and waits (bounded) for its first "zxd listening on" line. */
  private static Process startDaemon(List<String> args, StringBuilder output, String[] address) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        "dev.zxd.daemon.Main"));
    cmd.addAll(args);
    Process daemon = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> listening = new CompletableFuture<>();
    Thread pump = new Thread(() -> {
      try {
        for (String line; (line = out.readLine()) != null; ) {
          synchronized (output) {
            output.append(line).append('\n');
          }
          if (line.startsWith("zxd listening on ")) {
            listening.complete(line.substring("zxd listening on ".length()));
          }
        }
      } catch (java.io.IOException ignored) {
        // The daemon exited.
      }
      listening.complete(null);
    });
    pump.setDaemon(true);
    pump.start();
    address[0] = listening.get(60, TimeUnit.SECONDS);
    if (address[0] == null) {
      throw new AssertionError("the daemon did not start:\n" + output);
    }
    return daemon;
  }

  @Test
  void sigtermEndsEveryProcessAndExitsZero() throws Exception {
    StringBuilder output = new StringBuilder();
    String[] address = new String[1];
    Process daemon = startDaemon(List.of("--listen", "127.0.0.1:0"), output, address);
    ManagedChannel channel = ManagedChannelBuilder.forTarget(address[0]).usePlaintext().build();
    try {
      SessionStubs p = SessionStubs.create(channel, "survivor");
      CompletableFuture<ProcessKeepAliveReply> last = new CompletableFuture<>();
      CompletableFuture<Void> first = new CompletableFuture<>();
      p.processAsync.keepAlive(ProcessKeepAliveRequest.getDefaultInstance(), new StreamObserver<>() {
        @Override
        public void onNext(ProcessKeepAliveReply r) {
          first.complete(null);
          if (r.getTerminated()) {
            last.complete(r);
          }
        }

        @Override
        public void onError(Throwable t) {
          last.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {}
      });
      first.get(30, TimeUnit.SECONDS);

      daemon.destroy(); // SIGTERM

      ProcessKeepAliveReply end = last.get(30, TimeUnit.SECONDS);
      assertTrue(end.getTerminated(), "the client sees its process end");
      assertEquals(p.processId, end.getProcessId());
      assertTrue(daemon.waitFor(30, TimeUnit.SECONDS), "the daemon exits");
      assertEquals(0, daemon.exitValue(), output.toString());
    } finally {
      channel.shutdownNow();
      daemon.destroyForcibly();
    }
  }

  @Test
  void configFileEnvironmentAndFlagsApplyInThatOrder() throws Exception {
    Path config = Files.createTempFile("zxd", ".properties");
    try {
      Files.writeString(config, "grace-period = 3s\nlease = 7s\nmax-processes = 5\n");
      Settings s = Settings.resolve(java.util.Map.of("ZXD_LEASE", "9s"),
          List.of("--config", config.toString(), "--max-processes", "6"));
      assertEquals(java.time.Duration.ofSeconds(3), s.get(Settings.GRACE_PERIOD), "from the file");
      assertEquals(java.time.Duration.ofSeconds(9), s.get(Settings.LEASE), "environment over file");
      assertEquals(6, s.get(Settings.MAX_PROCESSES), "flag over file");
    } finally {
      Files.deleteIfExists(config);
    }
  }

  @Test
  void badSettingsAreRefusedWithExitCodeTwo() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "dev.zxd.daemon.Main",
        "--grace-period", "soon").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(2, p.exitValue(), out);
    assertTrue(out.contains("--grace-period"), out);
  }

  @Test
  void printConfigListsEverySetting() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "dev.zxd.daemon.Main",
        "--print-config", "--admin-token", "hunter2").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    for (Setting<?> s : Settings.ALL) {
      assertTrue(out.contains("--" + s.name()), s.name() + " missing from:\n" + out);
    }
    assertTrue(!out.contains("hunter2"), "secrets are never printed");
  }
}
