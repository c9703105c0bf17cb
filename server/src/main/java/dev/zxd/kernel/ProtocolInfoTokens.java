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
    final long expiresAt;
    Timers.Scheduled expiry = () -> {};

    Entry(long id, byte[] secret, Handle handle, long targetKoid, long expiresAt) {
      this.id = id;
      this.secret = secret;
      this.handle = handle;
      this.targetKoid = targetKoid;
      this.expiresAt = expiresAt;
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
    long expiresAt = kernel.clock().now() + kernel.config().tokenExpiry().toNanos();
    Entry entry = new Entry(id, secret, handle, target.koid(), expiresAt);
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
   * Redeems a token in process {@code p}, installing its handle there: NOT_FOUND for an unknown, forged,
   * expired or spent token; ACCESS_DENIED for another process (the token stays valid); NO_RESOURCES if {@code p}
   * has no room for the handle (the token stays valid too, so nothing is lost).
   */
  HandleResult redeem(Process p, String token) {
    long id = SecretTokens.claimedId(token);
    Entry entry = id < 0 ? null : outstanding.get(id);
    if (entry == null || !SecretTokens.matches(token, entry.secret)) {
      return HandleResult.failed(Status.ERR_NOT_FOUND);
    }
    if (entry.targetKoid != p.koid()) {
      return HandleResult.failed(Status.ERR_ACCESS_DENIED);
    }
    if (!outstanding.remove(entry.id, entry)) {
      return HandleResult.failed(Status.ERR_NOT_FOUND); // redeemed or expired concurrently
    }
    int value = p.handles().add(entry.handle);
    if (value == 0) {
      putBack(entry, p);
      return HandleResult.failed(Status.ERR_NO_RESOURCES);
    }
    Timers.Scheduled t;
    synchronized (entry) {
      t = entry.expiry;
    }
    t.cancel();
    return new HandleResult(Status.OK, value);
  }

  /**
   * Makes a claimed token redeemable again. While it was claimed its expiry may have come and its target may
   * have died, and either would then have missed it: check both again now.
   */
  private void putBack(Entry entry, Process target) {
    outstanding.put(entry.id, entry);
    if (kernel.clock().now() >= entry.expiresAt) {
      expire(entry);
    } else if (!target.isAlive()) {
      dropTargeting(target.koid());
    }
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
