package dev.zxd.kernel;

/**
 * An async wait (zx_object_wait_async): when the watched signals are asserted, queues one SIGNAL_ONE packet on
 * the port and is done. With ZX_WAIT_ASYNC_EDGE it ignores signals already asserted at registration and fires
 * only on an inactive-to-active transition. If the port is full or gone the packet is dropped and the wait
 * ends anyway, as Zircon does. Closing the watched handle removes it silently. Holds one of its process's
 * pending-wait slots from registration until it is unlinked (fired, canceled, port_cancel'ed, or its port gone),
 * which happens exactly once, under the watched object's lock.
 */
final class PortObserver extends SignalObserver {
  static final int TIMESTAMP = 1;
  static final int EDGE = 2;

  final Port port;
  final long key;
  private final Process owner;
  private final KernelObject object;
  private final int trigger;
  private final int options;
  private boolean registering = true;
  private int previous;

  PortObserver(Process owner, Handle handle, Port port, long key, int trigger, int options) {
    super(handle);
    this.owner = owner;
    this.object = handle.object();
    this.port = port;
    this.key = key;
    this.trigger = trigger;
    this.options = options;
    port.track(this);
  }

  @Override
  protected boolean onStateChangeLocked(int state, Wakeups wakeups) {
    boolean atRegistration = registering;
    registering = false;
    boolean fire;
    if ((options & EDGE) != 0) {
      fire = !atRegistration && ((~previous & state) & trigger) != 0;
      previous = state;
    } else {
      fire = (state & trigger) != 0;
    }
    if (!fire) {
      return false;
    }
    port.untrack(this);
    owner.releaseWait();
    long count = 1;
    if (atRegistration && (trigger & Signals.CHANNEL_READABLE) != 0 && object instanceof Channel channel) {
      count = Math.max(1, channel.queuedMessagesLocked());
    }
    long timestamp = (options & TIMESTAMP) != 0 ? object.kernel.clock().now() : 0;
    // A full or closed port drops the packet; the wait is over either way.
    port.queue(PortPacket.signal(key, handle, trigger, state, count, timestamp), wakeups);
    return true;
  }

  @Override
  protected void onCancelLocked(int state, Wakeups wakeups) {
    // The watched handle was closed: removed without a packet.
    port.untrack(this);
    owner.releaseWait();
  }

  /** The object this async wait watches. */
  KernelObject watched() {
    return object;
  }

  /** The port is gone: unhook from the watched object (no packet could ever be delivered). */
  void detach() {
    if (object.removeObserver(this)) {
      owner.releaseWait();
    }
  }

  /** Removed by zx_port_cancel (called under the watched object's lock as it is unlinked). */
  void onPortCancelLocked() {
    port.untrack(this);
    owner.releaseWait();
  }

  boolean matches(Port p, Handle source, long k) {
    return port == p && handle == source && key == k;
  }
}
