package dev.zxd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.zxd.proto.v1.ClockGetMonotonicRequest;
import dev.zxd.proto.v1.ClockGrpc;
import dev.zxd.proto.v1.DebugGrpc;
import dev.zxd.proto.v1.DebugListProcessesRequest;
import dev.zxd.proto.v1.EventCreateRequest;
import dev.zxd.proto.v1.EventGrpc;
import dev.zxd.proto.v1.ProcessCreateRequest;
import dev.zxd.proto.v1.ProcessGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.Collections;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Tokens are refused on plaintext listeners other machines can reach, unless allowed: the rule follows the
 * listener's bound address, so a client that comes in through 127.0.0.1 to a listener on 0.0.0.0 is refused
 * too. Loopback listeners, and any listener with allow-plaintext-tokens, take tokens as before.
 */
class PlaintextTokenTest {
  private static final Metadata.Key<String> ADMIN = Metadata.Key.of("zx-admin", Metadata.ASCII_STRING_MARSHALLER);

  private static <T> T withChannel(String target, java.util.function.Function<ManagedChannel, T> body)
      throws InterruptedException {
    ManagedChannel ch = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
    try {
      return body.apply(ch);
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static String via(ZxdServer server, String host) {
    int port = ((ListenAddress.Tcp) server.addresses().get(0)).port();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  private static io.grpc.Status refusal(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run).getStatus();
  }

  /** Every way a token crosses a guarded listener is refused, with a description naming the way out. */
  private static void assertTokensRefused(ManagedChannel ch, String listener) {
    io.grpc.Status create = refusal(() -> ProcessGrpc.newBlockingStub(ch).create(ProcessCreateRequest
        .getDefaultInstance()));
    assertEquals(io.grpc.Status.Code.UNAUTHENTICATED, create.getCode(), create.toString());
    assertTrue(create.getDescription().contains("the listener on " + listener), create.getDescription());
    assertTrue(create.getDescription().contains("allow-plaintext-tokens=true"), create.getDescription());

    Metadata session = new Metadata();
    session.put(SessionStubs.SESSION, "any-token");
    io.grpc.Status call = refusal(() -> EventGrpc.newBlockingStub(ch).withInterceptors(
        MetadataUtils.newAttachHeadersInterceptor(session)).create(EventCreateRequest.getDefaultInstance()));
    assertEquals(io.grpc.Status.Code.UNAUTHENTICATED, call.getCode(), call.toString());
    assertTrue(call.getDescription().contains("zx-session"), call.getDescription());

    Metadata admin = new Metadata();
    admin.put(ADMIN, "s3cret");
    io.grpc.Status debug = refusal(() -> DebugGrpc.newBlockingStub(ch).withInterceptors(
        MetadataUtils.newAttachHeadersInterceptor(admin)).listProcesses(DebugListProcessesRequest
        .getDefaultInstance()));
    assertEquals(io.grpc.Status.Code.PERMISSION_DENIED, debug.getCode(), debug.toString());

    assertTrue(ClockGrpc.newBlockingStub(ch).getMonotonic(ClockGetMonotonicRequest.getDefaultInstance())
        .getTime() > 0, "calls without tokens are served");
  }

  @Test
  void aWildcardListenerRefusesTokensEvenFromLoopbackClients() throws Exception {
    try (ZxdServer server = ZxdServer.builder().listen(new ListenAddress.Tcp("0.0.0.0", 0)).start()) {
      withChannel(via(server, "127.0.0.1"), ch -> {
        assertTokensRefused(ch, "0.0.0.0");
        return null;
      });
      assertEquals(0, server.kernel().processes().size(), "no process was made");
    }
  }

  @Test
  void aListenerOnANonLoopbackAddressRefusesTokens() throws Exception {
    InetAddress lan = null;
    for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress a : Collections.list(nif.getInetAddresses())) {
        if (nif.isUp() && a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
          lan = a;
        }
      }
    }
    assumeTrue(lan != null, "this machine has no non-loopback IPv4 address");
    String host = lan.getHostAddress();
    try (ZxdServer server = ZxdServer.builder().listen(new ListenAddress.Tcp(host, 0)).start()) {
      withChannel(via(server, host), ch -> {
        assertTokensRefused(ch, host);
        return null;
      });
    }
  }

  @Test
  void allowPlaintextTokensLetsThemThrough() throws Exception {
    try (ZxdServer server = ZxdServer.builder().listen(new ListenAddress.Tcp("0.0.0.0", 0))
        .allowPlaintextTokens(true).start()) {
      withChannel(via(server, "127.0.0.1"), ch -> {
        SessionStubs p = SessionStubs.create(ch, "allowed");
        assertEquals(dev.zxd.proto.v1.Status.ZX_OK, p.event.create(EventCreateRequest.getDefaultInstance())
            .getStatus());
        return null;
      });
    }
  }

  @Test
  void loopbackListenersTakeTokens() throws Exception {
    try (ZxdServer server = ZxdServer.builder().listen(new ListenAddress.Tcp("127.0.0.1", 0))
        .listen(new ListenAddress.Tcp("localhost", 0)).start()) {
      for (ListenAddress a : server.addresses()) {
        withChannel(a.toString(), ch -> {
          SessionStubs p = SessionStubs.create(ch, "local");
          assertEquals(dev.zxd.proto.v1.Status.ZX_OK, p.event.create(EventCreateRequest.getDefaultInstance())
              .getStatus());
          return null;
        });
      }
    }
  }

  @Test
  void whichAddressesCountAsLoopback() {
    assertTrue(ZxdServer.Builder.isLoopback(new ListenAddress.Tcp("127.0.0.1", 0)));
    assertTrue(ZxdServer.Builder.isLoopback(new ListenAddress.Tcp("::1", 0)));
    assertTrue(ZxdServer.Builder.isLoopback(new ListenAddress.Tcp("localhost", 0)));
    assertFalse(ZxdServer.Builder.isLoopback(new ListenAddress.Tcp("0.0.0.0", 0)));
    assertFalse(ZxdServer.Builder.isLoopback(new ListenAddress.Tcp("::", 0)));
    assertFalse(ZxdServer.Builder.isLoopback(new ListenAddress.Tcp("192.0.2.1", 0)));
  }

  @Test
  void theSettingIsParsedAndOffByDefault() {
    assertFalse(Settings.defaults().get(Settings.ALLOW_PLAINTEXT_TOKENS));
    assertTrue(Settings.resolve(java.util.Map.of("ZXD_ALLOW_PLAINTEXT_TOKENS", "true"), java.util.List.of())
        .get(Settings.ALLOW_PLAINTEXT_TOKENS));
    assertThrows(IllegalArgumentException.class, () -> Settings.resolve(java.util.Map.of(),
        java.util.List.of("--allow-plaintext-tokens", "yes")));
  }
}
