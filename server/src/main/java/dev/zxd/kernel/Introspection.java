package dev.zxd.kernel;

/** What introspection (the Debug service, metrics) can see of an object without changing it. */
public final class Introspection {
  /** A consistent-enough snapshot of one object. */
  public record ObjectDescription(long koid, int type, int handleCount, int signals, long relatedKoid,
      boolean peerAlive, long queuedMessages, long queuedBytes, int pendingWaits, String name) {}

  private Introspection() {}

  public static ObjectDescription describe(KernelObject o) {
    long messages = 0;
    long bytes = 0;
    String name = "";
    if (o instanceof Channel c) {
      messages = c.queuedMessages();
      bytes = c.queuedBytes();
    } else if (o instanceof Socket s) {
      bytes = s.queuedBytes();
    } else if (o instanceof Port p) {
      messages = p.queuedPackets();
    } else if (o instanceof Fifo f) {
      messages = f.queuedElements();
      bytes = (long) f.queuedElements() * f.elemSize();
    } else if (o instanceof Process p) {
      name = p.name();
    } else if (o instanceof Vmo v) {
      name = v.name();
      bytes = v.committedBytes();
    }
    boolean peerAlive;
    synchronized (o.lock) {
      peerAlive = o.peerLocked() != null;
    }
    return new ObjectDescription(o.koid(), o.type(), o.handleCount(), o.signals(), o.relatedKoid(), peerAlive,
        messages, bytes, o.observerCount(), name);
  }
}
