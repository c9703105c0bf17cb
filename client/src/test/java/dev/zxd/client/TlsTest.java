package dev.zxd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zxd.daemon.ListenAddress;
import dev.zxd.daemon.ZxdServer;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Server TLS and mutual TLS on a loopback listener, with certificates made by openssl for the test. */
class TlsTest {
  @TempDir
  static Path dir;

  @BeforeAll
  static void certificates() throws Exception {
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "1",
        "-subj", "/CN=zxd-test-ca");
    Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    for (String who : List.of("server", "client")) {
      openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", who + ".key", "-out", who + ".csr",
          "-subj", "/CN=" + who);
      openssl("x509", "-req", "-in", who + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
          "-out", who + ".crt", "-days", "1", "-extfile", "san.ext");
    }
  }

  private static void openssl(String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "openssl finished");
    assertEquals(0, p.exitValue(), "openssl " + String.join(" ", args) + ":\n" + out);
  }

  @Test
  void tlsListenerServesTlsClientsAndRefusesPlaintext() throws Exception {
    try (ZxdServer server = ZxdServer.builder().listen(new ListenAddress.Tcp("127.0.0.1", 0))
        .tls(dir.resolve("server.crt"), dir.resolve("server.key"), null).start()) {
      String target = server.addresses().get(0).toString();
      try (Zxd zxd = Zxd.connectTls(target, dir.resolve("ca.crt"), null, null);
           ZxProcess p = zxd.createProcess("over-tls")) {
        assertTrue(p.koid() > 0);
        p.createEvent().close();
      }
      assertThrows(StatusRuntimeException.class, () -> Zxd.connect(target), "plaintext is refused");
    }
  }

  @Test
  void mutualTlsRequiresAClientCertificateSignedByTheClientCa() throws Exception {
    try (ZxdServer server = ZxdServer.builder().listen(new ListenAddress.Tcp("127.0.0.1", 0))
        .tls(dir.resolve("server.crt"), dir.resolve("server.key"), dir.resolve("ca.crt")).start()) {
      String target = server.addresses().get(0).toString();
      assertThrows(StatusRuntimeException.class, () -> Zxd.connectTls(target, dir.resolve("ca.crt"), null, null),
          "no client certificate");
      try (Zxd zxd = Zxd.connectTls(target, dir.resolve("ca.crt"), dir.resolve("client.crt"),
          dir.resolve("client.key"));
           ZxProcess p = zxd.createProcess("mutual")) {
        assertTrue(p.koid() > 0);
      }
    }
  }
}
