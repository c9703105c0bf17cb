package dev.zxd.kernel;

import com.google.protobuf.ByteString;
import java.util.ArrayDeque;

/**
 * One end of a FIFO: fixed-size elements, at most elemCount waiting in each direction. Its queue holds what the
 * peer wrote. Writes are partial (as many elements as fit); SHOULD_WAIT only when none fit.
 *
 * <p>As Zircon allocates a FIFO's buffers when it is created, each end's full buffer (elemCount * elemSize
 * bytes) is charged to the kernel's {@link MemoryBudget} before the pair is made, and released when that end is
 * destroyed.
 */
public final class Fifo extends PeeredObject<Fifo> {
  public static final int MAX_SIZE_BYTES = 4096;

  private final int elemCount;
  private final int elemSize;
  private final ArrayDeque<ByteString> queue = new ArrayDeque<>(); // guarded by lock

  private Fifo(Kernel kernel, Object lock, int elemCount, int elemSize) {
    super(kernel, lock, Signals.FIFO_WRITABLE);
    this.elemCount = elemCount;
    this.elemSize = elemSize;
  }

  /** Bytes one end's buffer costs the memory budget. */
  static long bufferBytes(int elemCount, int elemSize) {
    return (long) elemCount * elemSize;
  }

  /** Makes a pair whose two buffers the caller has already reserved in the memory budget. */
  static Fifo[] createPair(Kernel kernel, int elemCount, int elemSize) {
    Object lock = new Object();
    Fifo a = new Fifo(kernel, lock, elemCount, elemSize);
    Fifo b = new Fifo(kernel, lock, elemCount, elemSize);
    link(a, b);
    return new Fifo[] {a, b};
  }

  @Override
  public int type() {
    return ObjectType.FIFO;
  }

  public int elemCount() {
    return elemCount;
  }

  public int elemSize() {
    return elemSize;
  }

  public int queuedElements() {
    synchronized (lock) {
      return queue.size();
    }
  }

  /**
   * Writes up to count elements of {@code data}; returns how many, or a negative status: PEER_CLOSED first,
   * then OUT_OF_RANGE (wrong element size, zero count), INVALID_ARGS (data not count elements long).
   */
  int write(int size, ByteString data, int count, Wakeups wakeups) {
    synchronized (lock) {
      if (peer == null) {
        return Status.ERR_PEER_CLOSED;
      }
      if (size != elemSize || count <= 0) {
        return Status.ERR_OUT_OF_RANGE;
      }
      if ((long) count * elemSize != data.size()) {
        return Status.ERR_INVALID_ARGS;
      }
      Fifo to = peer;
      int room = elemCount - to.queue.size();
      if (room == 0) {
        return Status.ERR_SHOULD_WAIT;
      }
      int n = Math.min(room, count);
      boolean wasEmpty = to.queue.isEmpty();
      for (int i = 0; i < n; i++) {
        to.queue.addLast(data.substring(i * elemSize, (i + 1) * elemSize));
      }
      if (wasEmpty) {
        to.updateStateLocked(0, Signals.FIFO_READABLE, wakeups);
      }
      if (to.queue.size() == elemCount) {
        updateStateLocked(Signals.FIFO_WRITABLE, 0, wakeups);
      }
      return n;
    }
  }

  /** Reads up to count elements into {@code out[0]}; returns how many, or a negative status. */
  int read(int count, ByteString[] out, Wakeups wakeups) {
    synchronized (lock) {
      if (queue.isEmpty()) {
        return peer == null ? Status.ERR_PEER_CLOSED : Status.ERR_SHOULD_WAIT;
      }
      boolean wasFull = queue.size() == elemCount;
      int n = Math.min(count, queue.size());
      ByteString all = ByteString.EMPTY;
      for (int i = 0; i < n; i++) {
        all = all.concat(queue.removeFirst());
      }
      out[0] = all;
      if (queue.isEmpty()) {
        updateStateLocked(Signals.FIFO_READABLE, 0, wakeups);
      }
      if (wasFull && peer != null) {
        peer.updateStateLocked(0, Signals.FIFO_WRITABLE, wakeups);
      }
      return n;
    }
  }

  @Override
  protected void onPeerClosedLocked(Wakeups wakeups) {
    updateStateLocked(Signals.FIFO_WRITABLE, Signals.FIFO_PEER_CLOSED, wakeups);
  }

  @Override
  protected void onDestroyLocked(Wakeups wakeups) {
    queue.clear();
    kernel.memory().release(bufferBytes(elemCount, elemSize));
  }
}
