package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static dev.zxd.kernel.SocketOps.S_ACCEPT;
import static dev.zxd.kernel.SocketOps.S_PEER_CLOSED;
import static dev.zxd.kernel.SocketOps.S_SHARE;
import static dev.zxd.kernel.SocketOps.S_WRITABLE;
import static dev.zxd.kernel.SocketOps.assertHas;
import static dev.zxd.kernel.SocketOps.assertLacks;
import static dev.zxd.kernel.SocketOps.assertSignals;
import static dev.zxd.kernel.SocketOps.sig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * zx_socket_share / zx_socket_accept. Every error of the seed page's list with its cause, each checking that
 * socket_to_share left the caller's table (it is consumed on every path) and, where the shared socket had no
 * other handle, that it was closed (its peer sees PEER_CLOSED).
 */
@ExtendWith(KernelExtension.class)
class SocketShareTest {
  private static final int ACCEPT = Socket.HAS_ACCEPT;

  /** One process with an accept-capable pair {a, b} and a plain pair {x, y} to share (x is shared). */
  private static final class Setup {
    final KernelFixture f;
    final SocketOps s;
    final Process p;
    final int a;
    final int b;
    final int x;
    final int y;
    final long xKoid;

    Setup(KernelFixture f) {
      this.f = f;
      this.s = new SocketOps(f);
      this.p = f.process();
      int[] ab = s.socket(p, Socket.STREAM | ACCEPT);
      int[] xy = s.socket(p, Socket.STREAM);
      a = ab[0];
      b = ab[1];
      x = xy[0];
      y = xy[1];
      xKoid = f.koid(p, x);
    }

    int share(int handle, int toShare) {
      return f.kernel().socket().share(p, handle, toShare);
    }

    /** x left the table and, being its only handle, was closed: y sees PEER_CLOSED. */
    void assertXConsumedAndClosed(String what) {
      assertNull(p.handle(x), what + ": socket_to_share must be gone from the sender's table");
      assertFalse(f.alive(xKoid), what + ": the discarded socket is destroyed");
      assertHas(S_PEER_CLOSED, p, y, what + ": the discarded socket's peer sees PEER_CLOSED");
      assertNoShareHappened(what);
    }

    /** Nothing was parked at b, and a can still share. */
    void assertNoShareHappened(String what) {
      if (p.handle(b) != null) {
        assertLacks(S_ACCEPT, p, b, what + ": nothing parked");
        assertNull(((Socket) f.object(p, b)).parkedHandle(), what + ": nothing parked");
      }
      if (p.handle(a) != null) {
        assertHas(S_SHARE, p, a, what + ": a keeps SHARE");
      }
    }
  }

  // ---- every error of the seed page, each with its cause ----

  @Test
  void badHandleWhenTheSocketHandleIsInvalid(KernelFixture f) {
    Setup t = new Setup(f);
    assertStatus(Status.ERR_BAD_HANDLE, t.share(0, t.x), "handle 0");
    t.assertXConsumedAndClosed("BAD_HANDLE (handle)");
  }

  @Test
  void badHandleWhenTheSocketHandleIsAClosedValue(KernelFixture f) {
    Setup t = new Setup(f);
    int stale = f.duplicate(t.p, t.a, Rights.SAME_RIGHTS);
    f.close(t.p, stale);
    assertStatus(Status.ERR_BAD_HANDLE, t.share(stale, t.x), "closed handle value");
    t.assertXConsumedAndClosed("BAD_HANDLE (stale handle)");
  }

  @Test
  void badHandleWhenTheSocketHandleBelongsToAnotherProcess(KernelFixture f) {
    Setup t = new Setup(f);
    Process other = f.process();
    int theirs = t.s.socket(other, Socket.STREAM | ACCEPT)[0];
    assertNull(t.p.handle(theirs), "precondition: the value names nothing in t.p");
    assertStatus(Status.ERR_BAD_HANDLE, f.kernel().socket().share(t.p, theirs, t.x), "another process's value");
    t.assertXConsumedAndClosed("BAD_HANDLE (foreign handle)");
    assertHas(S_SHARE, other, theirs, "their socket is untouched");
  }

  @Test
  void badHandleWhenSocketToShareIsInvalid(KernelFixture f) {
    Setup t = new Setup(f);
    assertStatus(Status.ERR_BAD_HANDLE, t.share(t.a, 0), "socket_to_share 0 (ZX_HANDLE_INVALID)");
    int stale = f.duplicate(t.p, t.x, Rights.SAME_RIGHTS);
    f.close(t.p, stale);
    assertStatus(Status.ERR_BAD_HANDLE, t.share(t.a, stale), "closed socket_to_share value");
    assertNull(t.p.handle(stale), "still gone");
    // The socket handle itself is not consumed.
    assertNotNull(t.p.handle(t.a));
    t.assertNoShareHappened("BAD_HANDLE (socket_to_share)");
    assertHas(S_WRITABLE, t.p, t.y, "x untouched");
  }

  @Test
  void wrongTypeWhenTheSocketHandleIsNotASocket(KernelFixture f) {
    Setup t = new Setup(f);
    int[] ch = f.channel(t.p);
    assertStatus(Status.ERR_WRONG_TYPE, t.share(ch[0], t.x), "handle is a channel");
    t.assertXConsumedAndClosed("WRONG_TYPE (handle)");
    assertNotNull(t.p.handle(ch[0]), "the channel handle is not consumed");
  }

  @Test
  void wrongTypeWhenSocketToShareIsNotASocket(KernelFixture f) {
    Setup t = new Setup(f);
    int ev = f.event(t.p); // events have TRANSFER, so the type check is what fails
    long evKoid = f.koid(t.p, ev);
    assertStatus(Status.ERR_WRONG_TYPE, t.share(t.a, ev), "socket_to_share is an event");
    assertNull(t.p.handle(ev), "socket_to_share must be gone from the sender's table");
    assertFalse(f.alive(evKoid), "the event was closed");
    t.assertNoShareHappened("WRONG_TYPE (socket_to_share)");
  }

  @Test
  void accessDeniedWhenTheSocketHandleLacksWrite(KernelFixture f) {
    Setup t = new Setup(f);
    int aNoWrite = f.replace(t.p, t.a, Rights.DEFAULT_SOCKET & ~Rights.WRITE);
    assertStatus(Status.ERR_ACCESS_DENIED, t.share(aNoWrite, t.x), "handle without WRITE");
    t.assertXConsumedAndClosed("ACCESS_DENIED (handle)");
    assertHas(S_SHARE, t.p, aNoWrite, "a keeps SHARE");
  }

  @Test
  void accessDeniedWhenSocketToShareLacksTransfer(KernelFixture f) {
    Setup t = new Setup(f);
    int xNoTransfer = f.replace(t.p, t.x, Rights.DEFAULT_SOCKET & ~Rights.TRANSFER);
    assertStatus(Status.ERR_ACCESS_DENIED, t.share(t.a, xNoTransfer), "socket_to_share without TRANSFER");
    assertNull(t.p.handle(xNoTransfer), "socket_to_share must be gone from the sender's table");
    assertFalse(f.alive(t.xKoid), "and closed");
    assertHas(S_PEER_CLOSED, t.p, t.y, "its peer sees PEER_CLOSED");
    t.assertNoShareHappened("ACCESS_DENIED (socket_to_share)");
  }

  @Test
  void badStateWhenSocketToShareIsTheSameSocket(KernelFixture f) {
    Setup t = new Setup(f);
    int dupA = f.duplicate(t.p, t.a, Rights.SAME_RIGHTS);
    assertStatus(Status.ERR_BAD_STATE, t.share(t.a, dupA), "sharing a socket over itself");
    assertNull(t.p.handle(dupA), "socket_to_share must be gone from the sender's table");
    assertNotNull(t.p.handle(t.a), "the socket handle stays");
    assertLacks(S_PEER_CLOSED, t.p, t.b, "a still has a handle");
    t.assertNoShareHappened("BAD_STATE (same socket)");
  }

  @Test
  void badStateWhenSocketToShareIsTheSameHandleValue(KernelFixture f) {
    Setup t = new Setup(f);
    long aKoid = f.koid(t.p, t.a);
    assertStatus(Status.ERR_BAD_STATE, t.share(t.a, t.a), "share(a, a)");
    assertNull(t.p.handle(t.a), "the handle was socket_to_share too, so it is consumed");
    assertFalse(f.alive(aKoid), "and a was closed");
    assertHas(S_PEER_CLOSED, t.p, t.b, "b sees PEER_CLOSED");
    assertLacks(S_ACCEPT, t.p, t.b, "nothing parked");
  }

  @Test
  void badStateWhenSocketToShareIsThePeer(KernelFixture f) {
    Setup t = new Setup(f);
    long bKoid = f.koid(t.p, t.b);
    assertStatus(Status.ERR_BAD_STATE, t.share(t.a, t.b), "sharing a socket's peer over it");
    assertNull(t.p.handle(t.b), "socket_to_share must be gone from the sender's table");
    assertFalse(f.alive(bKoid), "b was closed");
    assertHas(S_PEER_CLOSED, t.p, t.a, "a sees PEER_CLOSED");
  }

  @Test
  void badStateWhenSocketToShareCanShareItself(KernelFixture f) {
    Setup t = new Setup(f);
    int[] cd = t.s.socket(t.p, Socket.DATAGRAM | ACCEPT);
    assertStatus(Status.ERR_BAD_STATE, t.share(t.a, cd[0]), "socket_to_share made with HAS_ACCEPT");
    assertNull(t.p.handle(cd[0]), "socket_to_share must be gone from the sender's table");
    assertHas(S_PEER_CLOSED, t.p, cd[1], "and closed");
    t.assertNoShareHappened("BAD_STATE (HAS_ACCEPT)");
  }

  @Test
  void badStateIsCheckedBeforeNotSupported(KernelFixture f) {
    Setup t = new Setup(f);
    int[] cd = t.s.socket(t.p, Socket.STREAM | ACCEPT);
    // y cannot share at all, but sharing a HAS_ACCEPT socket (or its own peer) over it is BAD_STATE.
    assertStatus(Status.ERR_BAD_STATE, t.share(t.y, cd[0]), "HAS_ACCEPT socket over a plain socket");
    assertNull(t.p.handle(cd[0]));
    assertStatus(Status.ERR_BAD_STATE, t.share(t.y, t.x), "peer over a plain socket");
    assertNull(t.p.handle(t.x));
  }

  @Test
  void shouldWaitWhenTheShareSlotIsFull(KernelFixture f) {
    Setup t = new Setup(f);
    assertStatus(Status.OK, t.share(t.a, t.x), "first share");
    int[] zw = t.s.socket(t.p, Socket.STREAM);
    long zKoid = f.koid(t.p, zw[0]);
    assertStatus(Status.ERR_SHOULD_WAIT, t.share(t.a, zw[0]), "second share, slot full");
    assertNull(t.p.handle(zw[0]), "socket_to_share must be gone even on SHOULD_WAIT");
    assertFalse(f.alive(zKoid), "and closed");
    assertHas(S_PEER_CLOSED, t.p, zw[1], "its peer sees PEER_CLOSED");
    // The first one is still parked and can be accepted.
    assertHas(S_ACCEPT, t.p, t.b, "x still parked");
    HandleResult acc = f.kernel().socket().accept(t.p, t.b);
    assertStatus(Status.OK, acc.status());
    assertEquals(t.xKoid, f.koid(t.p, acc.out()));
  }

  @Test
  void notSupportedWhenTheSocketWasNotCreatedWithHasAccept(KernelFixture f) {
    Setup t = new Setup(f);
    int[] zw = t.s.socket(t.p, Socket.STREAM | Socket.HAS_CONTROL);
    assertLacks(S_SHARE, t.p, zw[0], "no HAS_ACCEPT, no SHARE signal");
    assertStatus(Status.ERR_NOT_SUPPORTED, t.share(zw[0], t.x), "share over a socket without HAS_ACCEPT");
    t.assertXConsumedAndClosed("NOT_SUPPORTED");
    assertStatus(Status.ERR_NOT_SUPPORTED, f.kernel().socket().accept(t.p, zw[1]).status(), "accept too");
  }

  @Test
  void notSupportedComesBeforePeerClosed(KernelFixture f) {
    Setup t = new Setup(f);
    int[] zw = t.s.socket(t.p, Socket.STREAM);
    f.close(t.p, zw[1]);
    assertStatus(Status.ERR_NOT_SUPPORTED, t.share(zw[0], t.x));
    assertNull(t.p.handle(t.x));
  }

  @Test
  void peerClosedWhenTheSocketsPeerIsGone(KernelFixture f) {
    Setup t = new Setup(f);
    f.close(t.p, t.b);
    assertStatus(Status.ERR_PEER_CLOSED, t.share(t.a, t.x), "share with the peer closed");
    t.assertXConsumedAndClosed("PEER_CLOSED");
  }

  @Test
  void errorPrecedence(KernelFixture f) {
    Setup t = new Setup(f);
    int[] ch = f.channel(t.p);
    // handle: WRONG_TYPE before ACCESS_DENIED (current Fuchsia), and before anything about socket_to_share.
    int chNoRights = f.replace(t.p, ch[0], 0);
    assertStatus(Status.ERR_WRONG_TYPE, t.share(chNoRights, 0), "channel without rights, invalid socket_to_share");
    // handle ACCESS_DENIED before socket_to_share BAD_HANDLE.
    int aNoWrite = f.duplicate(t.p, t.a, Rights.DEFAULT_SOCKET & ~Rights.WRITE);
    assertStatus(Status.ERR_ACCESS_DENIED, t.share(aNoWrite, 0));
    // socket_to_share: ACCESS_DENIED before WRONG_TYPE (an event without TRANSFER).
    int ev = f.event(t.p);
    int evNoTransfer = f.replace(t.p, ev, Rights.DEFAULT_EVENT & ~Rights.TRANSFER);
    assertStatus(Status.ERR_ACCESS_DENIED, t.share(t.a, evNoTransfer));
    assertNull(t.p.handle(evNoTransfer));
    // socket_to_share WRONG_TYPE before NOT_SUPPORTED / PEER_CLOSED of the handle.
    int ev2 = f.event(t.p);
    assertStatus(Status.ERR_WRONG_TYPE, t.share(t.y, ev2), "event over a plain socket");
    assertNull(t.p.handle(ev2));
    t.assertNoShareHappened("precedence");
  }

  // ---- success ----

  @Test
  void shareAndAcceptMoveTheSocketWithItsRightsAndSignals(KernelFixture f) {
    Setup t = new Setup(f);
    int rights = Rights.DEFAULT_SOCKET & ~(Rights.DUPLICATE | Rights.SIGNAL);
    int xr = f.replace(t.p, t.x, rights);
    assertSignals(S_WRITABLE | S_SHARE, t.p, t.a, "a before");
    assertSignals(S_WRITABLE | S_SHARE, t.p, t.b, "b before");

    assertStatus(Status.OK, t.share(t.a, xr), "share");
    assertNull(t.p.handle(xr), "the shared handle left the sender's table");
    assertTrue(f.alive(t.xKoid), "x lives, parked");
    assertEquals(1, f.kernel().objects().get(t.xKoid).handleCount(), "the parked handle counts");
    assertLacks(S_PEER_CLOSED, t.p, t.y, "x is not closed while parked");
    assertSignals(S_WRITABLE, t.p, t.a, "a loses SHARE, gains nothing");
    assertSignals(S_WRITABLE | S_SHARE | S_ACCEPT, t.p, t.b, "b gains ACCEPT, keeps its own SHARE");

    HandleResult acc = f.kernel().socket().accept(t.p, t.b);
    assertStatus(Status.OK, acc.status(), "accept");
    int x2 = acc.out();
    assertNotEquals(0, x2);
    assertNotEquals(xr, x2, "a new value");
    assertEquals(rights, f.rights(t.p, x2), "the accepted handle keeps the rights it was sent with");
    assertEquals(t.xKoid, f.koid(t.p, x2), "the same socket");
    assertSignals(S_WRITABLE | S_SHARE, t.p, t.a, "a regains SHARE");
    assertSignals(S_WRITABLE | S_SHARE, t.p, t.b, "b loses ACCEPT");

    // It works.
    t.s.writeAll(t.p, x2, "through the accepted socket");
    assertEquals("through the accepted socket", t.s.readOk(t.p, t.y, 100));

    assertStatus(Status.ERR_SHOULD_WAIT, f.kernel().socket().accept(t.p, t.b).status(), "nothing parked");
    assertStatus(Status.ERR_SHOULD_WAIT, f.kernel().socket().accept(t.p, t.a).status(), "nothing sent to a");
  }

  @Test
  void theTwoDirectionsShareIndependently(KernelFixture f) {
    Setup t = new Setup(f);
    int[] zw = t.s.socket(t.p, Socket.DATAGRAM);
    assertStatus(Status.OK, t.share(t.a, t.x));
    assertStatus(Status.OK, t.share(t.b, zw[0]), "b can share towards a while a's share is parked at b");
    assertSignals(S_WRITABLE | S_ACCEPT, t.p, t.a, "a: sent one, has one to accept");
    assertSignals(S_WRITABLE | S_ACCEPT, t.p, t.b, "b: sent one, has one to accept");
    HandleResult atA = f.kernel().socket().accept(t.p, t.a);
    HandleResult atB = f.kernel().socket().accept(t.p, t.b);
    assertEquals(f.koid(t.p, zw[1]), f.object(t.p, atA.out()).relatedKoid());
    assertEquals(t.xKoid, f.koid(t.p, atB.out()));
  }

  @Test
  void acceptAcrossProcesses(KernelFixture f) {
    Setup t = new Setup(f);
    Process q = f.process();
    // Give q the b end (a protocol-info token is the cross-process path for sockets).
    SocketSyscalls.TokenResult tok = f.kernel().socket().duplicateForProcess(t.p, t.b, q.koid());
    assertStatus(Status.OK, tok.status());
    int qb = f.kernel().socket().createFromProtocolInfo(q, tok.info().token()).out();
    f.close(t.p, t.b);

    assertStatus(Status.OK, t.share(t.a, t.x));
    assertHas(S_ACCEPT, q, qb, "q sees ACCEPT");
    HandleResult acc = f.kernel().socket().accept(q, qb);
    assertStatus(Status.OK, acc.status());
    assertNotNull(q.handle(acc.out()));
    t.s.writeAll(q, acc.out(), "from q");
    assertEquals("from q", t.s.readOk(t.p, t.y, 100));
  }

  @Test
  void acceptChecks(KernelFixture f) {
    Setup t = new Setup(f);
    assertStatus(Status.OK, t.share(t.a, t.x));
    int bNoRead = f.duplicate(t.p, t.b, Rights.DEFAULT_SOCKET & ~Rights.READ);
    assertStatus(Status.ERR_ACCESS_DENIED, f.kernel().socket().accept(t.p, bNoRead).status());
    int[] ch = f.channel(t.p);
    assertStatus(Status.ERR_WRONG_TYPE, f.kernel().socket().accept(t.p, ch[0]).status());
    assertStatus(Status.ERR_BAD_HANDLE, f.kernel().socket().accept(t.p, 0).status());
    assertHas(S_ACCEPT, t.p, t.b, "still parked after the failures");
    assertStatus(Status.OK, f.kernel().socket().accept(t.p, t.b).status());
  }

  // ---- lifetime of a parked socket ----

  @Test
  void aParkedSocketIsClosedWhenItsHolderEndpointIsDestroyed(KernelFixture f) {
    Setup t = new Setup(f);
    long bKoid = f.koid(t.p, t.b);
    assertStatus(Status.OK, t.share(t.a, t.x));
    assertLacks(S_PEER_CLOSED, t.p, t.y, "parked, alive");
    f.close(t.p, t.b); // b holds the parked x
    assertFalse(f.alive(bKoid));
    assertFalse(f.alive(t.xKoid), "the parked socket died with b");
    assertHas(S_PEER_CLOSED, t.p, t.y, "the parked socket's peer sees PEER_CLOSED");
    assertHas(S_PEER_CLOSED, t.p, t.a, "and a sees b gone");
  }

  @Test
  void aParkedSocketIsClosedWhenTheHolderProcessDies(KernelFixture f) {
    Setup t = new Setup(f);
    Process q = f.process();
    SocketSyscalls.TokenResult tok = f.kernel().socket().duplicateForProcess(t.p, t.y, q.koid());
    int qy = f.kernel().socket().createFromProtocolInfo(q, tok.info().token()).out();
    f.close(t.p, t.y);
    assertStatus(Status.OK, t.share(t.a, t.x));
    t.p.kill(Process.RETCODE_KILLED);
    assertFalse(f.alive(t.xKoid), "parked socket destroyed with its holder");
    assertHas(S_PEER_CLOSED, q, qy, "its peer, in another process, sees PEER_CLOSED");
  }

  @Test
  void aParkedSocketOutlivesTheSenderAndCanStillBeAccepted(KernelFixture f) {
    Setup t = new Setup(f);
    assertStatus(Status.OK, t.share(t.a, t.x));
    f.close(t.p, t.a);
    assertHas(S_PEER_CLOSED | S_ACCEPT, t.p, t.b, "sender gone, parked socket still here");
    HandleResult acc = f.kernel().socket().accept(t.p, t.b);
    assertStatus(Status.OK, acc.status(), "accept does not check the peer");
    assertLacks(S_ACCEPT, t.p, t.b, "taken");
    t.s.writeAll(t.p, t.y, "still connected");
    assertEquals("still connected", t.s.readOk(t.p, acc.out(), 100));
  }

  @Test
  void sharingOneOfSeveralHandlesKeepsTheSocketAlive(KernelFixture f) {
    Setup t = new Setup(f);
    int dupX = f.duplicate(t.p, t.x, Rights.SAME_RIGHTS);
    assertStatus(Status.ERR_BAD_STATE, t.share(t.a, t.b), "sharing the peer consumes and closes b");
    // a's peer is gone now: the share fails with PEER_CLOSED and consumes dupX, but x's other handle lives.
    assertStatus(Status.ERR_PEER_CLOSED, t.share(t.a, dupX));
    assertNull(t.p.handle(dupX));
    assertTrue(f.alive(t.xKoid), "x still has its original handle");
    assertLacks(S_PEER_CLOSED, t.p, t.y, "so y does not see PEER_CLOSED");
    assertEquals(S_WRITABLE, sig(t.p, t.x) & S_WRITABLE);
  }
}
