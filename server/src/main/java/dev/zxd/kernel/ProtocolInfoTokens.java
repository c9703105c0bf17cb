package dev.zxd.kernel;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * WSADuplicateSocket-style protocol-info tokens: a socket reference addressed to one target process, redeemable
 * once. Each outstanding token holds a handle to its socket (counted like a handle in a channel message), so
 * the socket outlives its source's handle and even its source process. The handle is released when the token
 * is redeemed (it moves into the target's table), when it expires, or when its target process dies (nobody
 * else may ever redeem it).
 *
 * <p>Tokens are {@link SecretTokens}: an id and 192 random bits, compared in constant time, never logged.
 */
public final class ProtocolInfoTokens {
  /** What DuplicateForProcess returns besides the token: what the target may want to know. */
  public record Issued(String token, int options, long sourceProcessId, long targetProcessId, long socketKoid,
      int rights, long expiresAt) {}

  private final class Entry {
    final long id;
    final byte[] secret;
    final Handle handle;
    final long targetKoid;
    Timers.Scheduled expiry = () -> {};

    Entry(long id, byte[] secret, Handle handle, long targetKoid) {
      this.id = id;
      this.secret = secret;
      this.handle = handle;
      this.targetKoid = targetKoid;
    }
  }

  private final Kernel kernel;
  private final ConcurrentHashMap<Long, Entry> outstanding = new ConcurrentHashMap<>();
  private final AtomicLong nextId = new AtomicLong(1);

  ProtocolInfoTokens(Kernel kernel) {
    this.kernel = kernel;
  }

  /** Issues a token holding {@code handle} (already made for it) for {@code target} to redeem. */
  Issued issue(Handle handle, Process source, Process target) {
    long id = nextId.getAndIncrement();
    byte[] secret = new byte[SecretTokens.SECRET_BYTES];
    kernel.random().nextBytes(secret);
    Entry entry = new Entry(id, secret, handle, target.koid());
    long expiresAt = kernel.clock().now() + kernel.config().tokenExpiry().toNanos();
    outstanding.put(id, entry);
    Timers.Scheduled t = kernel.timers().at(expiresAt, () -> expire(entry));
    synchronized (entry) {
      entry.expiry = t;
    }
    Socket socket = (Socket) handle.object();
    return new Issued(SecretTokens.encode(id, secret), socket.options(), source.koid(), target.koid(), socket.koid(),
        handle.rights(), expiresAt);
  }

  /**
   * Redeems a token in process {@code p}: the handle, or null with {@code status[0]} set: NOT_FOUND for an
   * unknown, forged, expired or spent token; ACCESS_DENIED for another process (the token stays valid).
   */
  Handle redeem(Process p, String token, int[] status) {
    long id = SecretTokens.claimedId(token);
    Entry entry = id < 0 ? null : outstanding.get(id);
    if (entry == null || !SecretTokens.matches(token, entry.secret)) {
      status[0] = Status.ERR_NOT_FOUND;
      return null;
    }
    if (entry.targetKoid != p.koid()) {
      status[0] = Status.ERR_ACCESS_DENIED;
      return null;
    }
    if (!outstanding.remove(entry.id, entry)) {
      status[0] = Status.ERR_NOT_FOUND; // redeemed or expired concurrently
      return null;
    }
    Timers.Scheduled t;
    synchronized (entry) {
      t = entry.expiry;
    }
    t.cancel();
    status[0] = Status.OK;
    return entry.handle;
  }

  private void expire(Entry entry) {
    if (outstanding.remove(entry.id, entry)) {
      entry.handle.release();
    }
  }

  /** The target died: its tokens can never be redeemed, so their sockets are let go now. */
  void dropTargeting(long targetKoid) {
    for (Iterator<Map.Entry<Long, Entry>> it = outstanding.entrySet().iterator(); it.hasNext(); ) {
      Entry e = it.next().getValue();
      if (e.targetKoid == targetKoid && outstanding.remove(e.id, e)) {
        Timers.Scheduled t;
        synchronized (e) {
          t = e.expiry;
        }
        t.cancel();
        e.handle.release();
      }
    }
  }

  /** Tokens outstanding (for metrics and introspection). */
  public int size() {
    return outstanding.size();
  }

  /** The handles tokens hold, for invariant checks (each names its socket once). */
  public java.util.List<Handle> heldHandles() {
    return outstanding.values().stream().map(e -> e.handle).toList();
  }
}
