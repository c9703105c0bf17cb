package dev.zxd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zxd.proto.v1.EventCreateRequest;
import dev.zxd.proto.v1.Status;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Raw TCP connections that do not speak HTTP/2 properly: the daemon drops them and keeps serving others. */
class RawConnectionTest {
  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private ZxdServer server;
  private int port;

  @BeforeEach
  void start() throws Exception {
    server = ZxdServer.builder().listen(new ListenAddress.Tcp("127.0.0.1", 0)).start();
    port = ((ListenAddress.Tcp) server.addresses().get(0)).port();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** A real client, on its own connection, can still make a process and an object. */
  private void assertServing() throws InterruptedException {
    ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      SessionStubs p = SessionStubs.create(ch, "still-served");
      assertEquals(Status.ZX_OK, p.event.create(EventCreateRequest.getDefaultInstance()).getStatus());
      p.process.exit(dev.zxd.proto.v1.ProcessExitRequest.getDefaultInstance());
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** Reads until the daemon closes the connection; fails if it keeps it open for 10 s. */
  private static void assertClosedByDaemon(Socket s) throws Exception {
    s.setSoTimeout(10_000);
    InputStream in = s.getInputStream();
    byte[] buf = new byte[4096];
    try {
      while (in.read(buf) >= 0) {
        // a GOAWAY frame or an HTTP/1.1 error may come first
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the daemon kept a garbage connection open", e);
    } catch (java.net.SocketException reset) {
      // closed with RST: also closed
    }
  }

  @Test
  void garbageBytesAreDroppedAndOthersAreStillServed() throws Exception {
    byte[] garbage = new byte[64 * 1024];
    new Random(42).nextBytes(garbage);
    try (Socket s = new Socket("127.0.0.1", port)) {
      OutputStream out = s.getOutputStream();
      out.write(garbage);
      out.flush();
      assertClosedByDaemon(s);
    }
    assertServing();
  }

  @Test
  void anHttp1RequestIsDropped() throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertClosedByDaemon(s);
    }
    assertServing();
  }

  @Test
  void aTruncatedPrefaceHeldOpenDoesNotBlockOthers() throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.getOutputStream().write(PREFACE, 0, PREFACE.length / 2);
      s.getOutputStream().flush();
      assertServing(); // while the half preface is pending
    }
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.getOutputStream().write(PREFACE);
      s.getOutputStream().write(new byte[] {0, 0, 100, 4, 0, 0, 0, 0}); // a SETTINGS frame cut short
      s.shutdownOutput();
      assertClosedByDaemon(s);
    }
    assertServing();
    assertTrue(server.kernel().processes().size() == 0, "no process was left behind");
  }
}
