package dev.zxd.kernel;

import com.google.protobuf.ByteString;
import java.util.function.Consumer;

/**
 * An outstanding zx_channel_call: waits for the reply carrying its transaction id, for its deadline, for the
 * peer to close (PEER_CLOSED) or for its own handle to be closed (CANCELED). Whichever comes first under the
 * channel's lock wins; the reply to the client is sent after the lock is released. Holds one of the caller's
 * pending-wait slots from the write until it ends.
 */
final class ChannelCall extends SignalObserver {
  private final Channel channel;
  private final Process caller;
  private final int rdNumBytes;
  private final int rdNumHandles;
  private final Consumer<ChannelSyscalls.CallResult> done;

  int txid; // guarded by channel lock
  private boolean finished; // guarded by channel lock
  private Timers.Scheduled timer = () -> {};

  ChannelCall(Handle handle, Channel channel, Process caller, int rdNumBytes, int rdNumHandles,
      Consumer<ChannelSyscalls.CallResult> done) {
    super(handle);
    this.channel = channel;
    this.caller = caller;
    this.rdNumBytes = rdNumBytes;
    this.rdNumHandles = rdNumHandles;
    this.done = done;
  }

  static ByteString stampTxid(ByteString bytes, int txid) {
    byte[] id = {(byte) txid, (byte) (txid >>> 8), (byte) (txid >>> 16), (byte) (txid >>> 24)};
    return ByteString.copyFrom(id).concat(bytes.substring(4));
  }

  void armDeadline(Timers timers, long deadline) {
    Timers.Scheduled t = timers.at(deadline, this::onDeadline);
    synchronized (channel.lock()) {
      if (finished) {
        t.cancel();
        return;
      }
      timer = t;
    }
  }

  @Override
  protected boolean onStateChangeLocked(int state, Wakeups wakeups) {
    if (finished) {
      return true;
    }
    if ((state & Signals.CHANNEL_PEER_CLOSED) != 0) {
      channel.dropCallLocked(this);
      finishLocked(Status.ERR_PEER_CLOSED, wakeups);
      return true;
    }
    return false;
  }

  @Override
  protected void onCancelLocked(int state, Wakeups wakeups) {
    if (!finished) {
      channel.dropCallLocked(this);
      finishLocked(Status.ERR_CANCELED, wakeups);
    }
  }

  /** The reply arrived (already taken out of the calls list and observers by the channel). */
  void replyLocked(MessagePacket reply, Wakeups wakeups) {
    finished = true;
    caller.releaseWait();
    Timers.Scheduled t = timer;
    wakeups.add(() -> {
      t.cancel();
      done.accept(receive(reply));
    });
  }

  private ChannelSyscalls.CallResult receive(MessagePacket reply) {
    int size = reply.bytes.size();
    int count = reply.handles.length;
    if (size > rdNumBytes || count > rdNumHandles) {
      Wakeups w = new Wakeups();
      reply.destroy(w);
      w.run();
      return ChannelSyscalls.CallResult.failed(Status.ERR_BUFFER_TOO_SMALL);
    }
    int[] values = ChannelSyscalls.install(caller, reply.handles);
    if (values == null) {
      Wakeups w = new Wakeups();
      reply.destroy(w);
      w.run();
      return ChannelSyscalls.CallResult.failed(Status.ERR_NO_RESOURCES);
    }
    return new ChannelSyscalls.CallResult(Status.OK, reply.bytes, values, size, count);
  }

  private void finishLocked(int status, Wakeups wakeups) {
    finished = true;
    caller.releaseWait();
    Timers.Scheduled t = timer;
    wakeups.add(() -> {
      t.cancel();
      done.accept(ChannelSyscalls.CallResult.failed(status));
    });
  }

  private void onDeadline() {
    Wakeups wakeups = new Wakeups();
    synchronized (channel.lock()) {
      if (finished) {
        return;
      }
      channel.forgetCallLocked(this);
      finishLocked(Status.ERR_TIMED_OUT, wakeups);
    }
    wakeups.run();
  }

  /** The caller went away: stop waiting, report nothing. A reply that comes later is queued as usual. */
  void abandon() {
    Timers.Scheduled t;
    synchronized (channel.lock()) {
      if (finished) {
        return;
      }
      finished = true;
      channel.forgetCallLocked(this);
      t = timer;
    }
    caller.releaseWait();
    t.cancel();
  }
}
