package dev.zxd.kernel;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;

/**
 * The unguessable tokens zxd hands out (session tokens, protocol-info tokens): an id, to find what the token
 * names without a map keyed by secrets, and 192 random bits, in URL-safe base64 (43 characters). The secret is
 * compared in constant time and tokens are never logged.
 */
final class SecretTokens {
  static final int SECRET_BYTES = 24;
  private static final int TOKEN_BYTES = 8 + SECRET_BYTES;

  private SecretTokens() {}

  static String encode(long id, byte[] secret) {
    ByteBuffer b = ByteBuffer.allocate(TOKEN_BYTES);
    b.putLong(id).put(secret);
    return encode(b.array());
  }

  private static String encode(byte[] raw) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }

  /** The id a token claims, or -1 if it is not a well-formed token. */
  static long claimedId(String token) {
    byte[] raw = decode(token);
    return raw == null ? -1 : ByteBuffer.wrap(raw).getLong();
  }

  static boolean matches(String token, byte[] secret) {
    byte[] raw = decode(token);
    if (raw == null) {
      return false;
    }
    return MessageDigest.isEqual(Arrays.copyOfRange(raw, 8, TOKEN_BYTES), secret);
  }

  private static byte[] decode(String token) {
    if (token == null || token.length() != 43) {
      return null;
    }
    try {
      byte[] raw = Base64.getUrlDecoder().decode(token);
      // The last character carries two unused bits: only the canonical spelling is the token, so exactly one
      // string redeems it. (This compares the caller's own string with itself re-encoded: nothing secret.)
      if (raw.length != TOKEN_BYTES || !encode(raw).equals(token)) {
        return null;
      }
      return raw;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
