package dev.zxd.kernel;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;

/**
 * Session tokens: the process's koid (to find it without a map keyed by secrets) and 192 random bits, in
 * URL-safe base64. The secret is compared in constant time and the token is never logged.
 */
final class SessionTokens {
  static final int SECRET_BYTES = 24;
  private static final int TOKEN_BYTES = 8 + SECRET_BYTES;

  private SessionTokens() {}

  static String encode(long koid, byte[] secret) {
    ByteBuffer b = ByteBuffer.allocate(TOKEN_BYTES);
    b.putLong(koid).put(secret);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
  }

  /** The koid a token claims, or -1 if it is not a well-formed token. */
  static long claimedKoid(String token) {
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
      return raw.length == TOKEN_BYTES ? raw : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
