package dev.zxd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zxd.client.ZxProcess;
import dev.zxd.client.Zxd;
import dev.zxd.daemon.ListenAddress;
import dev.zxd.daemon.ZxdServer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A trace whose daemon goes away ends with a clear message and exit status 3, not a hang. */
class ZxctlTraceEndTest {
  @Test
  void aTraceEndsWhenTheDaemonStops() throws Exception {
    ZxdServer server = ZxdServer.builder().listen(new ListenAddress.Tcp("127.0.0.1", 0)).start();
    String target = server.addresses().get(0).toString();
    Cli.Running trace;
    try (Zxd zxd = Zxd.connect(target)) {
      ZxProcess p = zxd.createProcess("doomed");
      trace = Cli.start(null, "trace", "--duration", "60s", "--target", target);
      Cli.awaitTraceReader(server, zxd);
      p.createEvent();
    } finally {
      server.close();
    }
    Cli.Result r = trace.result().get(30, TimeUnit.SECONDS);
    assertEquals(Zxctl.EXIT_UNREACHABLE, r.exit(), r.err());
    assertTrue(r.err().startsWith("zxctl: the daemon at " + target + " ended the trace ("), r.err());
    assertTrue(r.out().lines().anyMatch(l -> l.contains("Event/Create")), "what came before is shown: " + r.out());
  }
}
