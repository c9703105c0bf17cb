package dev.zxd.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.zxd.proto.v1.Right;
import dev.zxd.proto.v1.Signal;
import dev.zxd.proto.v1.SocketOption;
import dev.zxd.proto.v1.Status;
import dev.zxd.testing.ZxdExtension;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Sockets and WSADuplicateSocket-style tokens between two client connections, over a real loopback socket. */
class SocketEndToEndTest {
  @RegisterExtension
  static final ZxdExtension ZXD = ZxdExtension.tcp();

  /** A source process and a target process joined by a bootstrap channel, on two connections. */
  private record Pair(ZxProcess source, ZxProcess target, Channel sourceEnd, Channel targetEnd) {}

  private static Pair twoProcesses(Zxd a, Zxd b) {
    ZxProcess source = a.createProcess("source");
    ProcessHandle.Child child = source.createChild("target");
    ZxProcess target = b.attach(child.sessionToken());
    Channel.Pair bootstrap = source.createChannel();
    child.handle().start(bootstrap.end1());
    Channel targetEnd = target.startupInfo().arg1().as(Channel.class);
    return new Pair(source, target, bootstrap.end0(), targetEnd);
  }

  /** The ten-step table of the WSADuplicateSocket page, with a zxd channel as the IPC. */
  @Test
  void wsaDuplicateSocketHandoffEndToEnd() {
    try (Zxd a = Zxd.connect(ZXD.target()); Zxd b = Zxd.connect(ZXD.target())) {
      Pair p = twoProcesses(a, b);
      Duration tenSeconds = Duration.ofSeconds(10);

      // 1-2. The source makes a socket; the target tells the source its process id.
      Socket.Pair socket = p.source().createSocket(SocketOption.ZX_SOCKET_STREAM_VALUE);
      p.targetEnd().write(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(p.target().koid()).array()));
      p.sourceEnd().waitOne(Signal.ZX_CHANNEL_READABLE_VALUE, p.source().deadlineAfter(tenSeconds));
      long targetId = p.sourceEnd().read().bytes().asReadOnlyByteBuffer().getLong();
      assertEquals(p.target().koid(), targetId);

      // 3-4. The source duplicates the socket for the target and sends the protocol info as bytes.
      ProtocolInfo info = socket.end0().duplicateFor(targetId);
      assertEquals(p.source().koid(), info.sourceProcessId());
      assertEquals(targetId, info.targetProcessId());
      assertEquals(socket.end0().koid(), info.socketKoid());
      assertEquals(Right.ZX_DEFAULT_SOCKET_RIGHTS_VALUE, info.rights());
      p.sourceEnd().write(info.toBytes());

      // 5-6. The target receives the bytes and makes its own socket from them.
      p.targetEnd().waitOne(Signal.ZX_CHANNEL_READABLE_VALUE, p.target().deadlineAfter(tenSeconds));
      byte[] received = p.targetEnd().read().bytes().toByteArray();
      Socket mine = p.target().socketFromProtocolInfo(ProtocolInfo.fromBytes(received));
      assertEquals(socket.end0().koid(), mine.koid(), "one socket, seen from two processes");

      // 7. Data flows both ways.
      assertEquals(5, socket.end1().write("hello"));
      mine.waitOne(Signal.ZX_SOCKET_READABLE_VALUE, p.target().deadlineAfter(tenSeconds));
      assertEquals("hello", mine.read(100).toStringUtf8());
      assertEquals(3, mine.write("hey"));
      assertEquals("hey", socket.end1().read(100).toStringUtf8());

      // 8-9. The source closes its descriptor; the target's still works.
      socket.end0().close();
      assertEquals(2, mine.write("ok"));
      assertEquals("ok", socket.end1().read(100).toStringUtf8());

      // 10. The last handle goes: the other end sees PEER_CLOSED.
      mine.close();
      int observed = socket.end1().waitOne(Signal.ZX_SOCKET_PEER_CLOSED_VALUE,
          p.source().deadlineAfter(tenSeconds));
      assertTrue((observed & Signal.ZX_SOCKET_PEER_CLOSED_VALUE) != 0);

      p.target().close();
      p.source().close();
    }
  }

  @Test
  void tokensWorkOnceAndOnlyForTheirTarget() {
    try (Zxd a = Zxd.connect(ZXD.target()); Zxd b = Zxd.connect(ZXD.target());
         ZxProcess bystander = a.createProcess("bystander")) {
      Pair p = twoProcesses(a, b);
      Socket.Pair socket = p.source().createSocket(SocketOption.ZX_SOCKET_DATAGRAM_VALUE);
      ProtocolInfo info = socket.end0().duplicateFor(p.target().koid());
      byte[] bytes = info.toBytes();

      ZxException wrong = assertThrows(ZxException.class,
          () -> bystander.socketFromProtocolInfo(ProtocolInfo.fromBytes(bytes)));
      assertEquals(Status.ZX_ERR_ACCESS_DENIED, wrong.status());

      Socket mine = p.target().socketFromProtocolInfo(ProtocolInfo.fromBytes(bytes));
      ZxException again = assertThrows(ZxException.class,
          () -> p.target().socketFromProtocolInfo(ProtocolInfo.fromBytes(bytes)));
      assertEquals(Status.ZX_ERR_NOT_FOUND, again.status());

      assertEquals(4, socket.end1().write("dgrm"));
      assertEquals("dg", mine.read(2).toStringUtf8(), "datagram truncated to the buffer");
      assertEquals(Status.ZX_ERR_SHOULD_WAIT,
          assertThrows(ZxException.class, () -> mine.read(10)).status(), "the rest was discarded");
      p.target().close();
      p.source().close();
    }
  }

  @Test
  void tokenOutlivesItsSourceProcess() {
    try (Zxd a = Zxd.connect(ZXD.target()); Zxd b = Zxd.connect(ZXD.target())) {
      Pair p = twoProcesses(a, b);
      Socket.Pair socket = p.source().createSocket(SocketOption.ZX_SOCKET_STREAM_VALUE);
      ProtocolInfo info = socket.end0().duplicateFor(p.target().koid());
      p.sourceEnd().write(info.toBytes(), socket.end1());
      p.source().close(); // dies holding end0; the token still holds the socket

      p.targetEnd().waitOne(Signal.ZX_CHANNEL_READABLE_VALUE, p.target().deadlineAfter(Duration.ofSeconds(10)));
      Message m = p.targetEnd().read();
      Socket mine = p.target().socketFromProtocolInfo(ProtocolInfo.fromBytes(m.bytes().toByteArray()));
      Socket other = m.handles().get(0).as(Socket.class);
      other.write("still here");
      assertEquals("still here", mine.read(64).toStringUtf8());
      p.target().close();
    }
  }

  @Test
  void shareAndAcceptPassASocketThroughASocket() {
    try (Zxd a = Zxd.connect(ZXD.target()); ZxProcess p = a.createProcess("p")) {
      Socket.Pair carrier = p.createSocket(SocketOption.ZX_SOCKET_HAS_ACCEPT_VALUE);
      Socket.Pair payload = p.createSocket(SocketOption.ZX_SOCKET_STREAM_VALUE);
      int rights = payload.end0().rights();
      carrier.end0().share(payload.end0());
      assertTrue((carrier.end1().signals() & Signal.ZX_SOCKET_ACCEPT_VALUE) != 0);
      assertTrue((carrier.end0().signals() & Signal.ZX_SOCKET_SHARE_VALUE) == 0);
      Socket accepted = carrier.end1().accept();
      assertEquals(rights, accepted.rights());
      assertEquals(3, payload.end1().write(new byte[] {1, 2, 3}));
      assertArrayEquals(new byte[] {1, 2, 3}, accepted.read(8).toByteArray());

      ZxException e = assertThrows(ZxException.class, () -> payload.end1().share(carrier.end0().duplicate(
          Right.ZX_RIGHT_SAME_RIGHTS_VALUE)));
      assertEquals(Status.ZX_ERR_BAD_STATE, e.status(), "a HAS_ACCEPT socket cannot be shared");
    }
  }
}
