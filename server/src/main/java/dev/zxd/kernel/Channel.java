package dev.zxd.kernel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One endpoint of a channel. Its queue holds the messages the peer wrote, waiting to be read here. Also keeps
 * the endpoint's outstanding channel_calls, so a reply carrying a matching transaction id goes straight to its
 * caller without ever being queued.
 */
public final class Channel extends PeeredObject<Channel> {
  /** What a read found: a message taken off the queue, or why none was. */
  record ReadOutcome(int status, MessagePacket message, int actualBytes, int actualHandles) {}

  private final ArrayDeque<MessagePacket> queue = new ArrayDeque<>(); // guarded by lock
  private long queuedBytes; // guarded by lock
  private int queuedHandles; // guarded by lock: handles inside the queued messages
  private List<ChannelCall> calls; // guarded by lock
  private int nextTxid; // guarded by lock
  private boolean destroyed; // guarded by lock: the last handle is gone and the queue was freed

  private Channel(Kernel kernel, Object lock) {
    super(kernel, lock, Signals.CHANNEL_WRITABLE);
  }

  static Channel[] createPair(Kernel kernel) {
    Object lock = new Object();
    Channel a = new Channel(kernel, lock);
    Channel b = new Channel(kernel, lock);
    link(a, b);
    return new Channel[] {a, b};
  }

  @Override
  public int type() {
    return ObjectType.CHANNEL;
  }

  /** Messages waiting to be read here. */
  public int queuedMessages() {
    synchronized (lock) {
      return queue.size();
    }
  }

  int queuedMessagesLocked() {
    return queue.size();
  }

  public long queuedBytes() {
    synchronized (lock) {
      return queuedBytes;
    }
  }

  /**
   * Writes a message to the peer. On failure (PEER_CLOSED, SHOULD_WAIT when the peer's queue is at its limit,
   * NO_MEMORY when the budget is spent) nothing was queued and the caller still owns (and must destroy) it.
   */
  int write(MessagePacket message, Wakeups wakeups) {
    synchronized (lock) {
      if (peer == null) {
        return Status.ERR_PEER_CLOSED;
      }
      return peer.deliverLocked(message, wakeups);
    }
  }

  /**
   * Writes a channel_call's request, registering {@code call} for the reply under a fresh txid. Fails as
   * {@link #write} does, and then registers nothing.
   */
  int writeCall(ChannelCall call, MessagePacket request, Wakeups wakeups) {
    synchronized (lock) {
      if (peer == null) {
        return Status.ERR_PEER_CLOSED;
      }
      int txid = allocateTxidLocked();
      MessagePacket stamped = new MessagePacket(ChannelCall.stampTxid(request.bytes, txid), request.handles);
      int status = peer.deliverLocked(stamped, wakeups);
      if (status != Status.OK) {
        return status;
      }
      call.txid = txid;
      if (calls == null) {
        calls = new ArrayList<>(2);
      }
      calls.add(call);
      addObserverLocked(call, wakeups);
      return Status.OK;
    }
  }

  private int allocateTxidLocked() {
    while (true) {
      int txid = (nextTxid++ & 0x7FFFFFFF) | 0x80000000;
      boolean inUse = false;
      for (ChannelCall c : calls == null ? List.<ChannelCall>of() : calls) {
        if (c.txid == txid) {
          inUse = true;
          break;
        }
      }
      if (!inUse) {
        return txid;
      }
    }
  }

  /**
   * Hands a message to a channel_call waiting here for its txid, or queues it if the queue's limits and the
   * memory budget allow. A reply taken by a call is never queued, so the limits do not apply to it (as Zircon
   * hands it to the waiting thread before it looks at the queue).
   */
  private int deliverLocked(MessagePacket message, Wakeups wakeups) {
    if (calls != null && !calls.isEmpty()) {
      int txid = message.txid();
      for (int i = 0; i < calls.size(); i++) {
        ChannelCall call = calls.get(i);
        if (call.txid == txid) {
          calls.remove(i);
          removeObserverLocked(call);
          call.replyLocked(message, wakeups);
          return Status.OK;
        }
      }
    }
    KernelConfig config = kernel.config();
    if (queue.size() >= config.maxChannelMessages()
        || queuedBytes + message.bytes.size() > config.maxChannelBytes()) {
      return Status.ERR_SHOULD_WAIT;
    }
    if (!kernel.memory().reserve(message.charge())) {
      return Status.ERR_NO_MEMORY;
    }
    queue.addLast(message);
    queuedBytes += message.bytes.size();
    handlesQueuedLocked(message.handles.length);
    if (queue.size() == 1) {
      updateStateLocked(0, Signals.CHANNEL_READABLE, wakeups);
    }
    return Status.OK;
  }

  /** Called by a ChannelCall that stops waiting (deadline, cancel): forget its txid and its observer. */
  void forgetCallLocked(ChannelCall call) {
    dropCallLocked(call);
    removeObserverLocked(call);
  }

  /** Forgets a call's txid only; for a call finishing from inside its observer callback. */
  void dropCallLocked(ChannelCall call) {
    if (calls != null) {
      calls.remove(call);
    }
  }

  Object lock() {
    return lock;
  }

  ReadOutcome read(int numBytes, int numHandles, boolean mayDiscard, Wakeups wakeups) {
    synchronized (lock) {
      MessagePacket front = queue.peekFirst();
      if (front == null) {
        return new ReadOutcome(peer == null ? Status.ERR_PEER_CLOSED : Status.ERR_SHOULD_WAIT, null, 0, 0);
      }
      int size = front.bytes.size();
      int count = front.handles.length;
      if (size > numBytes || count > numHandles) {
        if (mayDiscard) {
          dequeueLocked(wakeups);
          front.destroy(wakeups);
        }
        return new ReadOutcome(Status.ERR_BUFFER_TOO_SMALL, null, size, count);
      }
      dequeueLocked(wakeups);
      return new ReadOutcome(Status.OK, front, size, count);
    }
  }

  /** Puts a message back at the front (its reader could not take its handles). */
  void unread(MessagePacket message, Wakeups wakeups) {
    synchronized (lock) {
      if (destroyed) {
        // The endpoint lost its last handle while the reader was taking the message (the reading process
        // was killed): the message dies as the rest of the queue did, closing its handles.
        message.destroy(wakeups);
        return;
      }
      // Back where it was, past the limits if writers filled the queue meanwhile: refusing would lose it.
      kernel.memory().restore(message.charge());
      queue.addFirst(message);
      queuedBytes += message.bytes.size();
      handlesQueuedLocked(message.handles.length);
      if (queue.size() == 1) {
        updateStateLocked(0, Signals.CHANNEL_READABLE, wakeups);
      }
    }
  }

  private void dequeueLocked(Wakeups wakeups) {
    MessagePacket m = queue.removeFirst();
    queuedBytes -= m.bytes.size();
    kernel.memory().release(m.charge());
    handlesQueuedLocked(-m.handles.length);
    if (queue.isEmpty()) {
      updateStateLocked(Signals.CHANNEL_READABLE, 0, wakeups);
    }
  }

  @Override
  protected void onPeerClosedLocked(Wakeups wakeups) {
    // Outstanding calls on this end see PEER_CLOSED through their observers.
    updateStateLocked(Signals.CHANNEL_WRITABLE, Signals.CHANNEL_PEER_CLOSED, wakeups);
  }

  @Override
  protected void onDestroyLocked(Wakeups wakeups) {
    // Unread messages die with the endpoint, and every handle in them is closed (recursively, via wakeups).
    destroyed = true;
    long charged = 0;
    for (MessagePacket m : queue) {
      charged += m.charge();
      m.destroy(wakeups);
    }
    kernel.memory().release(charged);
    queue.clear();
    queuedBytes = 0;
    handlesQueuedLocked(-queuedHandles);
  }

  private void handlesQueuedLocked(int delta) {
    if (delta != 0) {
      queuedHandles += delta;
      contentsChangedLocked();
    }
  }

  @Override
  void heldHandlesLocked(java.util.function.Consumer<Handle> sink) {
    for (MessagePacket m : queue) {
      for (Handle h : m.handles) {
        sink.accept(h);
      }
    }
  }

  @Override
  protected boolean mayStrandCycleLocked() {
    // A cycle runs through handles queued on one end or the other; without any, nothing can be stranded here.
    return queuedHandles > 0 || (peer != null && peer.queuedHandles > 0);
  }

  /**
   * The cycle collector found this endpoint unreachable: its queue dies now, as it would with the last handle,
   * closing every handle in it. Only for an endpoint no process can reach (nobody can tell it happened early).
   */
  void discardQueue(Wakeups wakeups) {
    synchronized (lock) {
      onDestroyLocked(wakeups);
    }
  }
}
