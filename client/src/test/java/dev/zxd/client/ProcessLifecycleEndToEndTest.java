package dev.zxd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zxd.kernel.KernelConfig;
import dev.zxd.kernel.KernelObject;
import dev.zxd.proto.v1.ChannelReadRequest;
import dev.zxd.proto.v1.EventCreateRequest;
import dev.zxd.proto.v1.EventGrpc;
import dev.zxd.proto.v1.Signal;
import dev.zxd.proto.v1.Status;
import dev.zxd.testing.ZxdExtension;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Processes as sessions, end to end over a real loopback socket. */
class ProcessLifecycleEndToEndTest {
  @RegisterExtension
  static final ZxdExtension ZXD = ZxdExtension.tcp()
      .withConfig(KernelConfig.DEFAULTS.withGracePeriod(Duration.ofMillis(300)));

  @Test
  void clientThatVanishesWithoutExitDiesAfterTheGracePeriodAndItsPeerSeesPeerClosed() throws Exception {
    try (Zxd a = Zxd.connect(ZXD.target())) {
      ZxProcess parent = a.createProcess("parent");
      ProcessHandle.Child child = parent.createChild("doomed");
      Channel.Pair pair = parent.createChannel();
      Zxd b = Zxd.connect(ZXD.target());
      ZxProcess kid = b.attach(child.sessionToken());
      child.handle().start(pair.end1());
      assertTrue(kid.startupInfo().arg1() != null);

      b.close(); // the connection drops; no Exit was called

      long deadline = parent.deadlineAfter(Duration.ofSeconds(20));
      int observed = pair.end0().waitOne(Signal.ZX_CHANNEL_PEER_CLOSED_VALUE, deadline);
      assertTrue((observed & Signal.ZX_CHANNEL_PEER_CLOSED_VALUE) != 0);
      child.handle().awaitTermination(deadline);
      assertEquals(null, ZXD.kernel().processes().get(child.processId()), "the child is gone");
      parent.close();
    }
  }

  @Test
  void parentKillsChildAndTheChildsKeepAliveReportsIt() throws Exception {
    try (Zxd a = Zxd.connect(ZXD.target()); Zxd b = Zxd.connect(ZXD.target())) {
      ZxProcess parent = a.createProcess("parent");
      ProcessHandle.Child child = parent.createChild("victim");
      ZxProcess kid = b.attach(child.sessionToken());
      child.handle().start(null);
      child.handle().kill();
      assertEquals(-1024L, kid.terminated().get(10, TimeUnit.SECONDS));
      child.handle().awaitTermination(parent.deadlineAfter(Duration.ofSeconds(10)));
      assertEquals(-1024, child.handle().info().getReturnCode(), "the parent reads how its child ended");
      assertEquals(3, child.handle().info().getFlags(), "STARTED | EXITED");
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, kid::createEvent);
      assertEquals(io.grpc.Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
      parent.close();
    }
  }

  @Test
  void callsWithoutOrWithForgedSessionsAreUnauthenticated() {
    try (Zxd a = Zxd.connect(ZXD.target())) {
      EventGrpc.EventBlockingStub bare = EventGrpc.newBlockingStub(a.grpcChannel());
      StatusRuntimeException none = assertThrows(StatusRuntimeException.class,
          () -> bare.create(EventCreateRequest.getDefaultInstance()));
      assertEquals(io.grpc.Status.Code.UNAUTHENTICATED, none.getStatus().getCode());

      ZxProcess real = a.createProcess("real");
      String token = real.sessionToken();
      char last = token.charAt(token.length() - 1);
      String forged = token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A');
      Metadata md = new Metadata();
      md.put(Stubs.SESSION_KEY, forged);
      StatusRuntimeException bad = assertThrows(StatusRuntimeException.class,
          () -> bare.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
              .create(EventCreateRequest.getDefaultInstance()));
      assertEquals(io.grpc.Status.Code.UNAUTHENTICATED, bad.getStatus().getCode());
      real.close();
    }
  }

  @Test
  void syscallFailuresAreStatusValuesNotRpcErrors() {
    try (Zxd a = Zxd.connect(ZXD.target()); ZxProcess p = a.createProcess("p")) {
      Channel.Pair pair = p.createChannel();
      var reply = p.stubs().channel.read(ChannelReadRequest.newBuilder().setHandle(pair.end0().value())
          .setNumBytes(64).build());
      assertEquals(Status.ZX_ERR_SHOULD_WAIT, reply.getStatus());
      ZxException e = assertThrows(ZxException.class, () -> pair.end0().duplicate(0));
      assertEquals(Status.ZX_ERR_ACCESS_DENIED, e.status(), "channel handles lack DUPLICATE");
    }
  }

  @Test
  void canceledWaitRemovesItsObserver() throws Exception {
    try (Zxd a = Zxd.connect(ZXD.target()); ZxProcess p = a.createProcess("p")) {
      Event event = p.createEvent();
      KernelObject object = ZXD.kernel().objects().get(event.koid());
      CompletableFuture<Integer> wait = event.waitOneAsync(Signal.ZX_USER_SIGNAL_0_VALUE, Handle.INFINITE);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> object.observerCount() == 1);
      wait.cancel(true);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> object.observerCount() == 0);
    }
  }

  @Test
  void closingTheWaitedHandleCancelsTheWait() throws Exception {
    try (Zxd a = Zxd.connect(ZXD.target()); ZxProcess p = a.createProcess("p")) {
      Event event = p.createEvent();
      KernelObject object = ZXD.kernel().objects().get(event.koid());
      CompletableFuture<Integer> wait = event.waitOneAsync(Signal.ZX_USER_SIGNAL_0_VALUE, Handle.INFINITE);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> object.observerCount() == 1);
      event.close();
      var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> wait.get(10, TimeUnit.SECONDS));
      assertEquals(Status.ZX_ERR_CANCELED, ((ZxException) e.getCause()).status());
    }
  }
}
