package dev.zxd.kernel;

import com.google.protobuf.ByteString;
import java.util.ArrayDeque;

/**
 * One end of a socket. Its receive queue holds what the peer wrote (stream bytes as a chain of the writers'
 * buffers, or whole datagrams), at most {@link #BUFFER_MAX} bytes. Also: the control-plane slot and the share
 * slot (2018 features, kept), shutdown state, and the read/write thresholds.
 *
 * <p>Signals change as Zircon changes them, event by event (not recomputed from state), so the same quirks
 * hold: WRITABLE is cleared only when the peer's buffer is completely full and comes back with the first
 * consuming read.
 *
 * <p>Bytes queued here (and a waiting control message) are charged to the kernel's {@link MemoryBudget} from the
 * write until they are read or the endpoint is destroyed; a write the budget cannot cover is NO_MEMORY.
 */
public final class Socket extends PeeredObject<Socket> {
  public static final int STREAM = 0;
  public static final int DATAGRAM = 1;
  public static final int HAS_CONTROL = 2;
  public static final int HAS_ACCEPT = 4;
  public static final int CREATE_MASK = DATAGRAM | HAS_CONTROL | HAS_ACCEPT;

  /**
   * Bytes one direction holds, as current Zircon: 256 KiB rounded up to whole mbufs of 4064 payload bytes
   * (65 of them), so four 64 KiB writes fit. The 2018 tree held 128 mbufs of 2008 bytes (257 024), where the
   * fourth 64 KiB write went short. Visible to programs through ZX_INFO_SOCKET's rx_buf_max.
   */
  public static final int BUFFER_MAX = 264_160;
  public static final int CONTROL_MAX = 1024;

  /** The outcome of a data or control write. */
  record WriteOutcome(int status, int actual) {}

  /** The outcome of a data or control read. */
  record ReadOutcome(int status, ByteString bytes) {}

  private final int options;

  private final ArrayDeque<ByteString> rx = new ArrayDeque<>(); // guarded by lock
  private int rxFrontOffset; // guarded by lock: stream bytes of rx.peekFirst() already read
  private int rxSize; // guarded by lock
  private ByteString control; // guarded by lock: the control message waiting here
  private Handle parked; // guarded by lock: a socket the peer shared, waiting for accept
  private boolean readDisabled; // guarded by lock: no more data will arrive here
  private boolean writeDisabled; // guarded by lock
  private long readThreshold; // guarded by lock
  private long writeThreshold; // guarded by lock

  private Socket(Kernel kernel, Object lock, int options) {
    super(kernel, lock, Signals.SOCKET_WRITABLE
        | ((options & HAS_ACCEPT) != 0 ? Signals.SOCKET_SHARE : 0)
        | ((options & HAS_CONTROL) != 0 ? Signals.SOCKET_CONTROL_WRITABLE : 0));
    this.options = options;
  }

  static Socket[] createPair(Kernel kernel, int options) {
    Object lock = new Object();
    Socket a = new Socket(kernel, lock, options);
    Socket b = new Socket(kernel, lock, options);
    link(a, b);
    return new Socket[] {a, b};
  }

  @Override
  public int type() {
    return ObjectType.SOCKET;
  }

  public int options() {
    return options;
  }

  boolean isDatagram() {
    return (options & DATAGRAM) != 0;
  }

  boolean hasControl() {
    return (options & HAS_CONTROL) != 0;
  }

  boolean hasAccept() {
    return (options & HAS_ACCEPT) != 0;
  }

  /** Bytes queued here, waiting to be read. */
  public int queuedBytes() {
    synchronized (lock) {
      return rxSize;
    }
  }

  // ---- data ----

  WriteOutcome write(ByteString data, Wakeups wakeups) {
    synchronized (lock) {
      if (peer == null) {
        return new WriteOutcome(Status.ERR_PEER_CLOSED, 0);
      }
      if (writeDisabled) {
        return new WriteOutcome(Status.ERR_BAD_STATE, 0);
      }
      if (data.isEmpty()) {
        return new WriteOutcome(Status.OK, 0);
      }
      Socket to = peer;
      int free = BUFFER_MAX - to.rxSize;
      int n;
      if (isDatagram()) {
        if (data.size() > BUFFER_MAX) {
          return new WriteOutcome(Status.ERR_OUT_OF_RANGE, 0);
        }
        if (free == 0 || data.size() > free) {
          return new WriteOutcome(Status.ERR_SHOULD_WAIT, 0);
        }
        n = data.size();
      } else {
        if (free == 0) {
          return new WriteOutcome(Status.ERR_SHOULD_WAIT, 0);
        }
        n = Math.min(free, data.size());
      }
      if (!kernel.memory().reserve(n)) {
        return new WriteOutcome(Status.ERR_NO_MEMORY, 0);
      }
      to.rx.addLast(n == data.size() ? data : data.substring(0, n));
      to.rxSize += n;
      to.updateStateLocked(0, Signals.SOCKET_READABLE
          | (to.readThreshold > 0 && to.rxSize >= to.readThreshold ? Signals.SOCKET_READ_THRESHOLD : 0), wakeups);
      int clear = 0;
      if (to.rxSize >= BUFFER_MAX) {
        clear |= Signals.SOCKET_WRITABLE;
      }
      if (writeThreshold > 0 && BUFFER_MAX - to.rxSize < writeThreshold) {
        clear |= Signals.SOCKET_WRITE_THRESHOLD;
      }
      updateStateLocked(clear, 0, wakeups);
      return new WriteOutcome(Status.OK, n);
    }
  }

  ReadOutcome read(int len, boolean peek, Wakeups wakeups) {
    synchronized (lock) {
      if (rx.isEmpty()) {
        int status = peer == null ? Status.ERR_PEER_CLOSED
            : readDisabled ? Status.ERR_BAD_STATE : Status.ERR_SHOULD_WAIT;
        return new ReadOutcome(status, ByteString.EMPTY);
      }
      if (len == 0) {
        // Zircon copies nothing and consumes nothing, for streams and datagrams alike.
        return new ReadOutcome(Status.OK, ByteString.EMPTY);
      }
      ByteString out;
      int consumed;
      if (isDatagram()) {
        ByteString datagram = rx.peekFirst();
        out = datagram.size() > len ? datagram.substring(0, len) : datagram;
        consumed = datagram.size(); // the rest of a truncated datagram is discarded
        if (!peek) {
          rx.removeFirst();
        }
      } else {
        out = peekStream(len);
        consumed = out.size();
        if (!peek) {
          consumeStream(consumed);
        }
      }
      if (!peek) {
        boolean wasFull = rxSize >= BUFFER_MAX;
        rxSize -= consumed;
        kernel.memory().release(consumed);
        int clear = 0;
        if (rx.isEmpty()) {
          clear |= Signals.SOCKET_READABLE;
        }
        if (readThreshold > 0 && rxSize < readThreshold) {
          clear |= Signals.SOCKET_READ_THRESHOLD;
        }
        updateStateLocked(clear, 0, wakeups);
        if (peer != null) {
          int set = 0;
          if (wasFull && consumed > 0) {
            set |= Signals.SOCKET_WRITABLE;
          }
          if (peer.writeThreshold > 0 && BUFFER_MAX - rxSize >= peer.writeThreshold) {
            set |= Signals.SOCKET_WRITE_THRESHOLD;
          }
          peer.updateStateLocked(0, set, wakeups);
        }
      }
      return new ReadOutcome(Status.OK, out);
    }
  }

  private ByteString peekStream(int len) {
    ByteString out = ByteString.EMPTY;
    int offset = rxFrontOffset;
    for (ByteString chunk : rx) {
      int take = Math.min(chunk.size() - offset, len - out.size());
      out = out.concat(chunk.substring(offset, offset + take));
      offset = 0;
      if (out.size() == len) {
        break;
      }
    }
    return out;
  }

  private void consumeStream(int n) {
    while (n > 0) {
      ByteString front = rx.peekFirst();
      int left = front.size() - rxFrontOffset;
      if (n >= left) {
        rx.removeFirst();
        rxFrontOffset = 0;
        n -= left;
      } else {
        rxFrontOffset += n;
        n = 0;
      }
    }
  }

  // ---- control plane (2018) ----

  WriteOutcome writeControl(ByteString message, Wakeups wakeups) {
    synchronized (lock) {
      if (!hasControl()) {
        return new WriteOutcome(Status.ERR_BAD_STATE, 0);
      }
      if (message.isEmpty()) {
        return new WriteOutcome(Status.ERR_INVALID_ARGS, 0);
      }
      if (message.size() > CONTROL_MAX) {
        return new WriteOutcome(Status.ERR_OUT_OF_RANGE, 0);
      }
      if (peer == null) {
        return new WriteOutcome(Status.ERR_PEER_CLOSED, 0);
      }
      if (peer.control != null) {
        return new WriteOutcome(Status.ERR_SHOULD_WAIT, 0);
      }
      if (!kernel.memory().reserve(message.size())) {
        return new WriteOutcome(Status.ERR_NO_MEMORY, 0);
      }
      peer.control = message;
      peer.updateStateLocked(0, Signals.SOCKET_CONTROL_READABLE, wakeups);
      updateStateLocked(Signals.SOCKET_CONTROL_WRITABLE, 0, wakeups);
      return new WriteOutcome(Status.OK, message.size());
    }
  }

  ReadOutcome readControl(int len, boolean peek, Wakeups wakeups) {
    synchronized (lock) {
      if (!hasControl()) {
        return new ReadOutcome(Status.ERR_BAD_STATE, ByteString.EMPTY);
      }
      if (control == null) {
        return new ReadOutcome(Status.ERR_SHOULD_WAIT, ByteString.EMPTY);
      }
      ByteString out = control.size() > len ? control.substring(0, len) : control;
      if (!peek) {
        kernel.memory().release(control.size());
        control = null;
        updateStateLocked(Signals.SOCKET_CONTROL_READABLE, 0, wakeups);
        if (peer != null) {
          peer.updateStateLocked(0, Signals.SOCKET_CONTROL_WRITABLE, wakeups);
        }
      }
      return new ReadOutcome(Status.OK, out);
    }
  }

  // ---- shutdown ----

  int shutdown(boolean read, boolean write, Wakeups wakeups) {
    synchronized (lock) {
      if (write) {
        writeDisabled = true;
        updateStateLocked(Signals.SOCKET_WRITABLE, Signals.SOCKET_WRITE_DISABLED, wakeups);
        if (peer != null) {
          peer.readDisabled = true;
          peer.updateStateLocked(0, Signals.SOCKET_PEER_WRITE_DISABLED, wakeups);
        }
      }
      if (read) {
        readDisabled = true;
        updateStateLocked(0, Signals.SOCKET_PEER_WRITE_DISABLED, wakeups);
        if (peer != null) {
          peer.writeDisabled = true;
          peer.updateStateLocked(Signals.SOCKET_WRITABLE, Signals.SOCKET_WRITE_DISABLED, wakeups);
        }
      }
      return Status.OK;
    }
  }

  // ---- share / accept (2018) ----

  /** Parks {@code handle} in the peer's share slot; on failure the caller still owns (and closes) it. */
  int share(Handle handle, Wakeups wakeups) {
    synchronized (lock) {
      if (peer == null) {
        return Status.ERR_PEER_CLOSED;
      }
      if (peer.parked != null) {
        return Status.ERR_SHOULD_WAIT;
      }
      peer.parked = handle;
      peer.contentsChangedLocked();
      peer.updateStateLocked(0, Signals.SOCKET_ACCEPT, wakeups);
      updateStateLocked(Signals.SOCKET_SHARE, 0, wakeups);
      return Status.OK;
    }
  }

  /** Takes the parked socket out of the share slot, or null if there is none. */
  Handle accept(Wakeups wakeups) {
    synchronized (lock) {
      Handle h = parked;
      if (h == null) {
        return null;
      }
      parked = null;
      contentsChangedLocked();
      updateStateLocked(Signals.SOCKET_ACCEPT, 0, wakeups);
      if (peer != null) {
        peer.updateStateLocked(0, Signals.SOCKET_SHARE, wakeups);
      }
      return h;
    }
  }

  /** Puts an accepted socket back (the accepter had no room in its table). */
  void unaccept(Handle h, Wakeups wakeups) {
    synchronized (lock) {
      if (parked != null || destroyedLocked()) {
        wakeups.release(h);
        return;
      }
      parked = h;
      contentsChangedLocked();
      updateStateLocked(0, Signals.SOCKET_ACCEPT, wakeups);
      if (peer != null) {
        peer.updateStateLocked(Signals.SOCKET_SHARE, 0, wakeups);
      }
    }
  }

  @Override
  void heldHandlesLocked(java.util.function.Consumer<Handle> sink) {
    if (parked != null) {
      sink.accept(parked);
    }
  }

  /** The handle parked here, for invariant checks. */
  Handle parkedHandle() {
    synchronized (lock) {
      return parked;
    }
  }

  // ---- thresholds and info ----

  int setReadThreshold(long value, Wakeups wakeups) {
    synchronized (lock) {
      if (value > BUFFER_MAX) {
        return Status.ERR_INVALID_ARGS;
      }
      readThreshold = value;
      boolean on = value > 0 && rxSize >= value;
      updateStateLocked(on ? 0 : Signals.SOCKET_READ_THRESHOLD, on ? Signals.SOCKET_READ_THRESHOLD : 0, wakeups);
      return Status.OK;
    }
  }

  int setWriteThreshold(long value, Wakeups wakeups) {
    synchronized (lock) {
      if (peer == null) {
        return Status.ERR_PEER_CLOSED;
      }
      if (value > BUFFER_MAX) {
        return Status.ERR_INVALID_ARGS;
      }
      writeThreshold = value;
      boolean on = value > 0 && BUFFER_MAX - peer.rxSize >= value;
      updateStateLocked(on ? 0 : Signals.SOCKET_WRITE_THRESHOLD, on ? Signals.SOCKET_WRITE_THRESHOLD : 0, wakeups);
      return Status.OK;
    }
  }

  long readThreshold() {
    synchronized (lock) {
      return readThreshold;
    }
  }

  long writeThreshold() {
    synchronized (lock) {
      return writeThreshold;
    }
  }

  InfoRecord.SocketInfo info() {
    synchronized (lock) {
      int available = isDatagram() ? (rx.isEmpty() ? 0 : rx.peekFirst().size()) : rxSize;
      return new InfoRecord.SocketInfo(options, BUFFER_MAX, rxSize, available,
          peer == null ? 0 : BUFFER_MAX, peer == null ? 0 : peer.rxSize);
    }
  }

  // ---- lifetime ----

  @Override
  protected void onPeerClosedLocked(Wakeups wakeups) {
    updateStateLocked(Signals.SOCKET_WRITABLE, Signals.SOCKET_PEER_CLOSED, wakeups);
  }

  @Override
  protected void onDestroyLocked(Wakeups wakeups) {
    kernel.memory().release(rxSize + (control == null ? 0 : control.size()));
    rx.clear();
    rxSize = 0;
    control = null;
    if (parked != null) {
      // A shared socket nobody accepted dies with the endpoint that held it.
      wakeups.release(parked);
      parked = null;
      contentsChangedLocked();
    }
  }
}
