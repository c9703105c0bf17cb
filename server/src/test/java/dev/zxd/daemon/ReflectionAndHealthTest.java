package dev.zxd.daemon;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Server reflection and health, seen by a generic client: `buf curl` (npm @bufbuild/buf). */
class ReflectionAndHealthTest {
  private static ZxdServer server;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    server = ZxdServer.builder().listen(new ListenAddress.Tcp("127.0.0.1", 0)).start();
    base = "http://" + server.addresses().get(0);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String buf(String... args) throws Exception {
    String buf = ExternalTools.find("buf", "ZXD_BUF", "npm install --prefix /opt/zxd-tools @bufbuild/buf");
    List<String> cmd = new java.util.ArrayList<>(List.of(buf, "curl", "--protocol", "grpc",
        "--http2-prior-knowledge"));
    cmd.addAll(List.of(args));
    return ExternalTools.run(cmd, null);
  }

  @Test
  void bufCurlListsEveryServiceThroughReflection() throws Exception {
    String services = buf("--list-services", base);
    for (String s : List.of("zxd.v1.Handle", "zxd.v1.Object", "zxd.v1.Channel", "zxd.v1.Socket", "zxd.v1.Event",
        "zxd.v1.EventPair", "zxd.v1.Port", "zxd.v1.Timer", "zxd.v1.Vmo", "zxd.v1.Fifo", "zxd.v1.Process",
        "zxd.v1.Task", "zxd.v1.Clock", "zxd.v1.Debug", "grpc.health.v1.Health")) {
      assertTrue(services.contains(s), s + " missing from:\n" + services);
    }
    String methods = buf("--list-methods", base);
    assertTrue(methods.contains("zxd.v1.Channel/WriteEtc"), methods);
  }

  @Test
  void bufCurlCallsMethodsAndHealthReportsServing() throws Exception {
    String health = buf("-d", "{}", base + "/grpc.health.v1.Health/Check");
    assertTrue(health.contains("SERVING"), health);
    String created = buf("-d", "{\"name\":\"from-buf\"}", base + "/zxd.v1.Process/Create");
    assertTrue(created.contains("sessionToken"), created);
    String now = buf("-d", "{}", base + "/zxd.v1.Clock/GetMonotonic");
    assertTrue(now.contains("time"), now);
  }
}
