package dev.zxd.client.faults;

import dev.zxd.client.Zxd;
import dev.zxd.client.ZxProcess;
import java.util.concurrent.CountDownLatch;

/**
 * A client in a JVM of its own, for fault tests: {@code HoldingClient TARGET SESSION_TOKEN} attaches to the
 * process the token names (its KeepAlive stream holds it), reads the channel end its parent started it with,
 * prints {@code holding <handle>} and then waits until it is killed.
 */
public final class HoldingClient {
  private HoldingClient() {}

  public static void main(String[] args) throws InterruptedException {
    Zxd zxd = Zxd.connect(args[0]);
    ZxProcess self = zxd.attach(args[1]);
    System.out.println("holding " + self.startupInfo().arg1().value());
    System.out.flush();
    new CountDownLatch(1).await(); // until SIGKILL
  }
}
