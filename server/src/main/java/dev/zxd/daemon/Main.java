package dev.zxd.daemon;

import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * {@code java -jar zxd-server.jar [--config FILE] [--listen host:port|unix:/path]... [--setting value]...}
 *
 * <p>SIGTERM (and SIGINT) drain: stop accepting calls, end every process (peers see PEER_CLOSED, clients see
 * their processes end), finish the replies in flight, exit 0.
 */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    // Netty tracks one buffer in 128 for leak reports, taking a stack trace for each: 1.5 % of the daemon's CPU
    // when streaming 64 KiB socket writes. The tests keep it on; the daemon turns it off unless it is asked for
    // (-Dio.netty.leakDetection.level=simple, advanced or paranoid).
    if (System.getProperty("io.netty.leakDetection.level") == null
        && System.getProperty("io.netty.leakDetectionLevel") == null) {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
    List<String> rest = new ArrayList<>(List.of(args));
    if (rest.contains("--help") || rest.contains("-h")) {
      System.out.println("usage: zxd [--config FILE] [--setting value]...   (or ZXD_SETTING=value in the environment)");
      System.out.println();
      Settings.defaults().print(System.out);
      return;
    }
    boolean printOnly = rest.remove("--print-config");
    Settings settings;
    try {
      settings = Settings.resolve(System.getenv(), rest);
    } catch (IllegalArgumentException e) {
      System.err.println("zxd: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (printOnly) {
      settings.print(System.out);
      return;
    }
    ZxdServer server;
    try {
      server = ZxdServer.builder().settings(settings).start();
    } catch (IOException e) {
      System.err.println("zxd: " + e.getMessage());
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable drain = () -> {
      log.info("draining: ending {} processes", server.kernel().processes().size());
      server.close();
      stopped.countDown();
    };
    // Handle the signals ourselves so a drained daemon exits 0, not 143.
    for (String name : new String[] {"TERM", "INT"}) {
      sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> new Thread(() -> {
        drain.run();
        System.exit(0);
      }, "zxd-drain").start());
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "zxd-shutdown"));
    for (ListenAddress a : server.addresses()) {
      System.out.println("zxd listening on " + a);
    }
    if (server.metricsAddress() != null) {
      System.out.println("zxd metrics on http://" + server.metricsAddress() + "/metrics");
    }
    System.out.flush();
    stopped.await();
  }
}
