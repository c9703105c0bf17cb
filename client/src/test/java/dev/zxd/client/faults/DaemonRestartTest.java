package dev.zxd.client.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zxd.client.Event;
import dev.zxd.client.Zxd;
import dev.zxd.client.ZxProcess;
import dev.zxd.daemon.ListenAddress;
import dev.zxd.daemon.ZxdServer;
import io.grpc.ConnectivityState;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import org.awaitility.Awaitility;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon goes away and a new one starts at the same address: calls in between fail with UNAVAILABLE,
 * the old processes are gone (their tokens are unknown to the new daemon: UNAUTHENTICATED), and the same
 * connection serves new sessions once the daemon is back.
 */
class DaemonRestartTest {
  @TempDir
  Path dir;

  @Test
  void clientsSeeUnavailableThenStartNewSessionsOnTheNewDaemon() throws Exception {
    ListenAddress address = new ListenAddress.Unix(dir.resolve("zxd.sock"));
    ZxdServer first = ZxdServer.builder().listen(address).start();
    try (Zxd zxd = Zxd.connect(address.toString())) {
      ZxProcess before = zxd.createProcess("before");
      Event event = before.createEvent();

      first.close();
      assertEquals(dev.zxd.kernel.Process.RETCODE_SHUTDOWN, (long) before.terminated().get(10, TimeUnit.SECONDS),
          "the KeepAlive stream reports the process ended by the shutdown");
      StatusRuntimeException down = assertThrows(StatusRuntimeException.class, event::signals);
      assertEquals(io.grpc.Status.Code.UNAVAILABLE, down.getStatus().getCode(), down.toString());
      assertThrows(StatusRuntimeException.class, () -> zxd.createProcess("while-down"));

      try (ZxdServer second = ZxdServer.builder().listen(address).start()) {
        // The same connection reconnects (sooner than its backoff would, when told the daemon is back).
        zxd.grpcChannel().resetConnectBackoff();
        Awaitility.await().atMost(Duration.ofSeconds(10))
            .until(() -> zxd.grpcChannel().getState(true) == ConnectivityState.READY);
        ZxProcess after = zxd.createProcess("after");
        after.createEvent().close();
        StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, before::createEvent);
        assertEquals(io.grpc.Status.Code.UNAUTHENTICATED, unknown.getStatus().getCode(),
            "the old session means nothing to the new daemon");
        assertEquals(1, second.kernel().processes().size());
        after.close();
      }
    } finally {
      first.close();
    }
  }
}
