package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static dev.zxd.kernel.SocketOps.S_PEER_CLOSED;
import static dev.zxd.kernel.SocketOps.assertHas;
import static dev.zxd.kernel.SocketOps.assertLacks;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zxd.kernel.ProtocolInfoTokens.Issued;
import dev.zxd.kernel.SocketSyscalls.TokenResult;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** WSADuplicateSocket-style protocol-info tokens: DuplicateForProcess / CreateFromProtocolInfo (design §4). */
@ExtendWith(KernelExtension.class)
class ProtocolInfoTokenTest {
  private static final Duration AWAIT = Duration.ofSeconds(5);

  static KernelConfig shortExpiry() {
    return KernelConfig.DEFAULTS.withTokenExpiry(Duration.ofMillis(150));
  }

  private static TokenResult dup(KernelFixture f, Process p, int h, long target) {
    return f.kernel().socket().duplicateForProcess(p, h, target);
  }

  private static Issued dupOk(KernelFixture f, Process p, int h, long target) {
    TokenResult r = dup(f, p, h, target);
    assertStatus(Status.OK, r.status(), "DuplicateForProcess");
    assertNotNull(r.info());
    return r.info();
  }

  private static HandleResult redeem(KernelFixture f, Process p, String token) {
    return f.kernel().socket().createFromProtocolInfo(p, token);
  }

  private static int redeemOk(KernelFixture f, Process p, String token) {
    HandleResult r = redeem(f, p, token);
    assertStatus(Status.OK, r.status(), "CreateFromProtocolInfo");
    assertNotEquals(0, r.out());
    return r.out();
  }

  @Test
  void redeemedHandleHasTheSourceRightsAndTheSameKoid(KernelFixture f) {
    Process src = f.process();
    Process dst = f.process();
    SocketOps s = new SocketOps(f);
    int options = Socket.DATAGRAM | Socket.HAS_CONTROL;
    int[] ab = s.socket(src, options);
    int rights = Rights.DEFAULT_SOCKET & ~(Rights.SIGNAL | Rights.SET_PROPERTY);
    int a = f.replace(src, ab[0], rights);
    long before = f.kernel().clock().now();

    Issued info = dupOk(f, src, a, dst.koid());
    assertEquals(options, info.options());
    assertEquals(src.koid(), info.sourceProcessId());
    assertEquals(dst.koid(), info.targetProcessId());
    assertEquals(f.koid(src, a), info.socketKoid());
    assertEquals(rights, info.rights());
    long expiry = KernelConfig.DEFAULTS.tokenExpiry().toNanos();
    assertTrue(info.expiresAt() >= before + expiry && info.expiresAt() <= f.kernel().clock().now() + expiry,
        "expires_at = issue time + token expiry");
    // At least 192 unguessable bits: 32 base64 characters carry 192 bits.
    assertTrue(info.token().length() >= 32, "token long enough: " + info.token().length());
    assertEquals(1, f.kernel().tokens().size());

    int dstHandles = dst.handleTableSize();
    int h = redeemOk(f, dst, info.token());
    assertEquals(dstHandles + 1, dst.handleTableSize());
    assertEquals(rights, f.rights(dst, h), "the source handle's rights");
    assertEquals(f.koid(src, a), f.koid(dst, h), "the same socket");
    assertEquals(0, f.kernel().tokens().size(), "spent");
    assertNotNull(src.handle(a), "the source keeps its own handle");

    // Both handles name the same end: data written to b is readable through either.
    s.writeAll(src, ab[1], "to dst");
    assertEquals("to dst", s.readOk(dst, h, 100));
    s.writeAll(dst, h, "to b");
    assertEquals("to b", s.readOk(src, ab[1], 100));
  }

  @Test
  void theSourceHandlesRightsAreFixedAtIssue(KernelFixture f) {
    Process src = f.process();
    Process dst = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(src, Socket.STREAM);
    Issued info = dupOk(f, src, ab[0], dst.koid());
    // Reducing the source handle afterwards does not reduce what the token grants.
    int reduced = f.replace(src, ab[0], Rights.READ | Rights.WAIT);
    int h = redeemOk(f, dst, info.token());
    assertEquals(Rights.DEFAULT_SOCKET, f.rights(dst, h));
    assertEquals(Rights.READ | Rights.WAIT, f.rights(src, reduced));
  }

  @Test
  void handleCountIncludesTheTokensReference(KernelFixture f) {
    Process src = f.process();
    Process dst = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(src, Socket.STREAM);
    int a = ab[0];
    assertEquals(1, s.handleCount(src, a));
    Issued t1 = dupOk(f, src, a, dst.koid());
    assertEquals(2, s.handleCount(src, a), "the token holds a reference");
    Issued t2 = dupOk(f, src, a, dst.koid());
    assertEquals(3, s.handleCount(src, a), "each token holds one");
    assertEquals(1, s.handleCount(src, ab[1]), "the peer is not referenced");
    assertNotEquals(t1.token(), t2.token());
    int h1 = redeemOk(f, dst, t1.token());
    assertEquals(3, s.handleCount(src, a), "redeemed: the reference became dst's handle");
    f.close(src, a);
    assertEquals(2, s.handleCount(dst, h1), "dst's handle and the second token");
    int h2 = redeemOk(f, dst, t2.token());
    assertNotEquals(h1, h2);
    assertEquals(2, s.handleCount(dst, h1));
  }

  @Test
  void aTokenCanBeRedeemedOnlyOnce(KernelFixture f) {
    Process src = f.process();
    Process dst = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(src, Socket.STREAM);
    Issued info = dupOk(f, src, ab[0], dst.koid());
    redeemOk(f, dst, info.token());
    int before = dst.handleTableSize();
    HandleResult again = redeem(f, dst, info.token());
    assertStatus(Status.ERR_NOT_FOUND, again.status(), "second redemption");
    assertEquals(0, again.out());
    assertEquals(before, dst.handleTableSize(), "no second handle");
  }

  @Test
  void anotherProcessIsDeniedAndTheTargetCanStillRedeem(KernelFixture f) {
    Process src = f.process();
    Process dst = f.process();
    Process thief = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(src, Socket.STREAM);
    Issued info = dupOk(f, src, ab[0], dst.koid());

    HandleResult stolen = redeem(f, thief, info.token());
    assertStatus(Status.ERR_ACCESS_DENIED, stolen.status(), "redeemed by a third process");
    assertEquals(0, thief.handleTableSize(), "the thief got nothing");
    assertStatus(Status.ERR_ACCESS_DENIED, redeem(f, src, info.token()).status(), "by the source itself");
    assertStatus(Status.ERR_ACCESS_DENIED, redeem(f, thief, info.token()).status(), "still denied, not spent");
    assertEquals(1, f.kernel().tokens().size(), "the token stays valid");

    int h = redeemOk(f, dst, info.token());
    assertEquals(f.koid(src, ab[0]), f.koid(dst, h));
    assertStatus(Status.ERR_NOT_FOUND, redeem(f, thief, info.token()).status(), "spent now: NOT_FOUND");
  }

  @Test
  void forgedUnknownAndMalformedTokensAreNotFound(KernelFixture f) {
    Process src = f.process();
    Process dst = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(src, Socket.STREAM);
    Issued info = dupOk(f, src, ab[0], dst.koid());
    String real = info.token();

    // The real token's id with one secret character changed.
    char[] chars = real.toCharArray();
    int i = chars.length - 10;
    chars[i] = chars[i] == 'A' ? 'B' : 'A';
    String forgedSecret = new String(chars);
    assertNotEquals(real, forgedSecret);
    assertStatus(Status.ERR_NOT_FOUND, redeem(f, dst, forgedSecret).status(), "right id, wrong secret");

    // A well-formed token for an id never issued, and one with a valid shape but random content.
    byte[] raw = Base64.getUrlDecoder().decode(real);
    raw[7] ^= 0x55; // the id
    String otherId = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    assertStatus(Status.ERR_NOT_FOUND, redeem(f, dst, otherId).status(), "unknown id");
    assertStatus(Status.ERR_NOT_FOUND, redeem(f, dst, "A".repeat(real.length())).status(), "all zeroes");

    for (String bad : new String[] {"", "x", real + "A", real.substring(1), "!".repeat(real.length()),
        real.replace('A', '+')}) {
      if (bad.equals(real)) {
        continue;
      }
      assertStatus(Status.ERR_NOT_FOUND, redeem(f, dst, bad).status(), "malformed: '" + bad + "'");
    }
    assertStatus(Status.ERR_NOT_FOUND, redeem(f, dst, null).status(), "null");
    assertEquals(0, dst.handleTableSize(), "nothing installed by any of them");

    // None of that spent or broke the real token.
    int h = redeemOk(f, dst, real);
    assertNotNull(dst.handle(h));
  }

  @Test
  @KernelExtension.WithConfig("shortExpiry")
  void anUnredeemedTokenExpires(KernelFixture f) {
    Process src = f.process();
    Process dst = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(src, Socket.STREAM);
    long before = f.kernel().clock().now();
    Issued info = dupOk(f, src, ab[0], dst.koid());
    assertTrue(info.expiresAt() >= before + Duration.ofMillis(150).toNanos(), "expires_at follows the config");
    assertEquals(2, s.handleCount(src, ab[0]));

    await().atMost(AWAIT).until(() -> f.kernel().tokens().size() == 0);
    assertStatus(Status.ERR_NOT_FOUND, redeem(f, dst, info.token()).status(), "expired");
    await().atMost(AWAIT).until(() -> s.handleCount(src, ab[0]) == 1);
    assertEquals(0, dst.handleTableSize());
  }

  @Test
  @KernelExtension.WithConfig("shortExpiry")
  void anExpiredTokenLeaksNoSocket(KernelFixture f) {
    Process src = f.process();
    Process dst = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(src, Socket.STREAM);
    long aKoid = f.koid(src, ab[0]);
    dupOk(f, src, ab[0], dst.koid());
    f.close(src, ab[0]);
    // The token alone keeps a alive: b does not see PEER_CLOSED yet.
    assertTrue(f.alive(aKoid), "held by the token");
    assertLacks(S_PEER_CLOSED, src, ab[1], "a still referenced by the token");

    await().atMost(AWAIT).until(() -> f.kernel().tokens().size() == 0);
    await().atMost(AWAIT).until(() -> !f.alive(aKoid));
    assertHas(S_PEER_CLOSED, src, ab[1], "the token's reference was dropped");
    f.close(src, ab[1]);
    assertEquals(0, f.kernel().objects().count(ObjectType.SOCKET), "no socket left");
  }

  @Test
  void theSourceMayDieBeforeRedemption(KernelFixture f) {
    Process src = f.process();
    Process left = f.process();
    Process right = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(src, Socket.STREAM);
    s.writeAll(src, ab[0], "written before death");
    Issued ta = dupOk(f, src, ab[0], left.koid());
    Issued tb = dupOk(f, src, ab[1], right.koid());
    src.kill(Process.RETCODE_KILLED);
    assertFalse(src.isAlive());
    assertEquals(2, f.kernel().tokens().size(), "tokens survive their source");

    int l = redeemOk(f, left, ta.token());
    int r = redeemOk(f, right, tb.token());
    assertLacks(S_PEER_CLOSED, right, r, "both ends alive");
    assertEquals("written before death", s.readOk(right, r, 100));
    s.writeAll(left, l, "after");
    assertEquals("after", s.readOk(right, r, 100));
    s.writeAll(right, r, "back");
    assertEquals("back", s.readOk(left, l, 100));
  }

  @Test
  void tokensAreDroppedWhenTheirTargetDies(KernelFixture f) {
    Process src = f.process();
    Process dst = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(src, Socket.STREAM);
    Issued info = dupOk(f, src, ab[0], dst.koid());
    dst.kill(Process.RETCODE_KILLED);
    assertEquals(0, f.kernel().tokens().size(), "nobody can redeem it any more");
    assertEquals(1, s.handleCount(src, ab[0]), "its reference is gone");
    f.close(src, ab[0]);
    assertHas(S_PEER_CLOSED, src, ab[1], "a closed for good");
    assertStatus(Status.ERR_NOT_FOUND, dup(f, src, ab[1], dst.koid()).status(), "a dead target is NOT_FOUND");
    assertEquals(0, f.kernel().tokens().size());
    assertStatus(Status.ERR_NOT_FOUND, redeem(f, src, info.token()).status());
  }

  @Test
  void duplicateForProcessNeedsTheDuplicateRight(KernelFixture f) {
    Process src = f.process();
    Process dst = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(src, Socket.STREAM);
    int noDup = f.replace(src, ab[0], Rights.DEFAULT_SOCKET & ~Rights.DUPLICATE);
    TokenResult r = dup(f, src, noDup, dst.koid());
    assertStatus(Status.ERR_ACCESS_DENIED, r.status(), "no DUPLICATE after replace");
    assertNull(r.info());
    assertEquals(0, f.kernel().tokens().size(), "no token issued");
    assertEquals(1, s.handleCount(src, noDup), "no reference taken");
    assertStatus(Status.OK, dup(f, src, ab[1], dst.koid()).status(), "the other end still has it");
  }

  @Test
  void duplicateForProcessHandleAndTargetChecks(KernelFixture f) {
    Process src = f.process();
    Process dst = f.process();
    SocketOps s = new SocketOps(f);
    int[] ab = s.socket(src, Socket.STREAM);
    int[] ch = f.channel(src);
    assertStatus(Status.ERR_WRONG_TYPE, dup(f, src, ch[0], dst.koid()).status(),
        "a channel (which also lacks DUPLICATE: WRONG_TYPE comes first)");
    int ev = f.event(src);
    assertStatus(Status.ERR_WRONG_TYPE, dup(f, src, ev, dst.koid()).status(), "an event (has DUPLICATE)");
    assertStatus(Status.ERR_BAD_HANDLE, dup(f, src, 0, dst.koid()).status());
    assertStatus(Status.ERR_BAD_HANDLE, dup(f, dst, ab[0], src.koid()).status(), "another process's value");

    assertStatus(Status.ERR_NOT_FOUND, dup(f, src, ab[0], 0).status(), "process id 0");
    assertStatus(Status.ERR_NOT_FOUND, dup(f, src, ab[0], 987_654_321L).status(), "unknown process id");
    assertStatus(Status.ERR_NOT_FOUND, dup(f, src, ab[0], f.koid(src, ab[1])).status(),
        "a koid that is a socket, not a process");
    assertEquals(0, f.kernel().tokens().size(), "no token from any failure");
    assertEquals(1, s.handleCount(src, ab[0]));

    // The source itself is a legal target.
    Issued self = dupOk(f, src, ab[0], src.koid());
    int h = redeemOk(f, src, self.token());
    assertNotEquals(ab[0], h);
    assertEquals(f.koid(src, ab[0]), f.koid(src, h));
  }
}
