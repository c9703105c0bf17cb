package dev.zxd.daemon;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** {@code java -jar zxd-server.jar [--listen host:port|unix:/path]... [--setting value]...} */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    List<String> rest = new ArrayList<>(List.of(args));
    if (rest.contains("--help") || rest.contains("-h")) {
      System.out.println("usage: zxd [--setting value]...   (or ZXD_SETTING=value in the environment)");
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
    ZxdServer server = ZxdServer.builder().settings(settings).start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "zxd-shutdown"));
    for (ListenAddress a : server.addresses()) {
      System.out.println("zxd listening on " + a);
    }
    System.out.flush();
    stopped.await();
  }
}
