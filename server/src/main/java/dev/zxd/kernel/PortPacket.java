package dev.zxd.kernel;

/**
 * zx_port_packet_t: a user packet (type USER, 32 payload bytes as four u64) or a signal packet (type
 * SIGNAL_ONE, from an async wait). Immutable once queued. Signal packets remember the handle whose wait made
 * them, because zx_port_cancel matches packets by (handle, key).
 */
public final class PortPacket {
  public static final int TYPE_USER = 0;
  public static final int TYPE_SIGNAL_ONE = 1;

  public final long key;
  public final int type;
  public final int status;
  /** USER: the payload (4 entries). */
  public final long[] user;
  /** SIGNAL_ONE: zx_packet_signal_t. */
  public final int trigger;
  public final int observed;
  public final long count;
  public final long timestamp;

  final Handle source; // null for user packets

  private PortPacket(long key, int type, int status, long[] user, int trigger, int observed, long count,
      long timestamp, Handle source) {
    this.key = key;
    this.type = type;
    this.status = status;
    this.user = user;
    this.trigger = trigger;
    this.observed = observed;
    this.count = count;
    this.timestamp = timestamp;
    this.source = source;
  }

  /** A zx_port_queue packet: the type is always USER, whatever the caller put there. */
  public static PortPacket user(long key, int status, long[] payload) {
    return new PortPacket(key, TYPE_USER, status, payload.clone(), 0, 0, 0, 0, null);
  }

  static PortPacket signal(long key, Handle source, int trigger, int observed, long count, long timestamp) {
    return new PortPacket(key, TYPE_SIGNAL_ONE, Status.OK, null, trigger, observed, count, timestamp, source);
  }
}
