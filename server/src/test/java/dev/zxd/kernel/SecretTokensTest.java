package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Session tokens and protocol-info tokens ({@link SecretTokens}): exactly one string is the token. Every prefix,
 * extension, single-character change, secret bit flip and borrowed id is refused, and refusals spend nothing.
 * The secret part is compared with MessageDigest.isEqual over 24 bytes on both sides (the decoder refuses every
 * other length first), so the comparison's time does not depend on where a guess goes wrong.
 */
@ExtendWith(KernelExtension.class)
class SecretTokensTest {
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

  /** Every near miss of {@code token}: prefixes, extensions, substitutions, bad characters, flipped secret bits. */
  static List<String> nearMisses(String token) {
    List<String> out = new ArrayList<>();
    for (int n = 0; n < token.length(); n++) {
      out.add(token.substring(0, n));
    }
    out.add(token + "A");
    out.add(token + "=");
    out.add(token + token);
    out.add(" " + token);
    for (int i = 0; i < token.length(); i++) {
      for (char c : (ALPHABET + "=+/ .\u00e9").toCharArray()) {
        if (c != token.charAt(i)) {
          out.add(token.substring(0, i) + c + token.substring(i + 1));
        }
      }
    }
    byte[] raw = Base64.getUrlDecoder().decode(token);
    for (int bit = 64; bit < raw.length * 8; bit++) {
      byte[] flipped = raw.clone();
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      out.add(Base64.getUrlEncoder().withoutPadding().encodeToString(flipped));
    }
    return out;
  }

  private static void assertAllRefused(String token, Predicate<String> accepted) {
    List<String> misses = nearMisses(token);
    assertTrue(misses.size() > 3_000);
    for (String miss : misses) {
      assertFalse(accepted.test(miss), () -> "accepted a near miss of a token (" + miss.length() + " chars)");
    }
  }

  @Test
  void aSessionTokenIsExactlyOneString(KernelFixture f) {
    Process p = f.process();
    Process other = f.process();
    String token = f.kernel().processes().tokenOf(p);
    assertEquals(43, token.length());
    assertSame(p, f.kernel().processes().resolve(token));
    assertAllRefused(token, t -> f.kernel().processes().resolve(t) != null);

    // Another process's id with this process's secret, and the other way round.
    byte[] mine = Base64.getUrlDecoder().decode(token);
    byte[] theirs = Base64.getUrlDecoder().decode(f.kernel().processes().tokenOf(other));
    System.arraycopy(theirs, 0, mine, 0, 8);
    assertNull(f.kernel().processes().resolve(Base64.getUrlEncoder().withoutPadding().encodeToString(mine)));
    assertNull(f.kernel().processes().resolve(null));
    assertSame(p, f.kernel().processes().resolve(token), "refusals change nothing");
  }

  @Test
  void aDeadProcessSessionIsRefused(KernelFixture f) {
    Process p = f.process();
    String token = f.kernel().processes().tokenOf(p);
    p.kill(Process.RETCODE_KILLED);
    assertNull(f.kernel().processes().resolve(token));
  }

  @Test
  void aProtocolInfoTokenIsExactlyOneStringAndRefusalsSpendNothing(KernelFixture f) {
    Process src = f.process();
    Process dst = f.process();
    int[] ab = new SocketOps(f).socket(src, Socket.STREAM);
    SocketSyscalls.TokenResult issued = f.kernel().socket().duplicateForProcess(src, ab[0], dst.koid());
    assertStatus(Status.OK, issued.status());
    String token = issued.info().token();

    assertAllRefused(token, t -> {
      HandleResult r = f.kernel().socket().createFromProtocolInfo(dst, t);
      if (r.status() == Status.OK) {
        return true;
      }
      assertStatus(Status.ERR_NOT_FOUND, r.status(), "a near miss");
      return false;
    });
    assertStatus(Status.ERR_ACCESS_DENIED, f.kernel().socket().createFromProtocolInfo(src, token).status(),
        "the right token in the wrong process");
    assertEquals(1, f.kernel().tokens().size(), "nothing was spent");

    HandleResult redeemed = f.kernel().socket().createFromProtocolInfo(dst, token);
    assertStatus(Status.OK, redeemed.status());
    assertEquals(f.koid(src, ab[0]), f.koid(dst, redeemed.out()));
    assertStatus(Status.ERR_NOT_FOUND, f.kernel().socket().createFromProtocolInfo(dst, token).status(), "spent");
  }

  @Test
  void theSecretIsComparedOverFixedLengths() {
    byte[] secret = new byte[SecretTokens.SECRET_BYTES];
    for (int i = 0; i < secret.length; i++) {
      secret[i] = (byte) (i * 37);
    }
    String token = SecretTokens.encode(5, secret);
    assertEquals(5, SecretTokens.claimedId(token));
    assertTrue(SecretTokens.matches(token, secret));
    for (String miss : nearMisses(token)) {
      if (miss.length() != token.length()) {
        // Refused before any comparison is made: the compared secret is always 24 bytes.
        assertFalse(SecretTokens.matches(miss, secret));
        assertEquals(-1, SecretTokens.claimedId(miss));
      } else {
        assertFalse(SecretTokens.matches(miss, secret) && SecretTokens.claimedId(miss) == 5,
            "a near miss that names the same id with the same secret");
      }
    }
  }
}
