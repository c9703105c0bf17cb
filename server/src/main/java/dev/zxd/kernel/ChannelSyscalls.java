package dev.zxd.kernel;

import com.google.protobuf.ByteString;
import java.util.List;
import java.util.function.Consumer;

/**
 * zx_channel_create / read / read_etc / write / write_etc / call. Each reads top to bottom in Zircon's check
 * order; the reference for each step is docs/zircon-reference.md in the design.
 */
public final class ChannelSyscalls {
  public static final int READ_MAY_DISCARD = 1;
  public static final int WRITE_USE_IOVEC = 2;
  public static final int HANDLE_OP_MOVE = 0;
  public static final int HANDLE_OP_DUPLICATE = 1;

  private static final int[] NO_VALUES = new int[0];

  /** One zx_channel_iovec_t. */
  public record Iovec(ByteString buffer, int reserved) {}

  /** One zx_handle_disposition_t; {@code result} is written by write_etc. */
  public static final class HandleDisposition {
    public final int operation;
    public final int handle;
    public final int type;
    public final int rights;
    public int result;

    public HandleDisposition(int operation, int handle, int type, int rights) {
      this.operation = operation;
      this.handle = handle;
      this.type = type;
      this.rights = rights;
    }
  }

  /** Result of write_etc: whether the per-entry {@code result} fields were written (only on failure). */
  public record WriteEtcResult(int status, boolean resultsWritten) {}

  /**
   * Result of read / read_etc. On BUFFER_TOO_SMALL, actualBytes / actualHandles are the sizes needed.
   * {@code types} and {@code rights} describe each received handle (read_etc's zx_handle_info_t).
   */
  public record ReadResult(int status, ByteString bytes, int[] handles, int[] types, int[] rights,
      int actualBytes, int actualHandles) {
    static ReadResult failed(int status, int actualBytes, int actualHandles) {
      return new ReadResult(status, ByteString.EMPTY, NO_VALUES, NO_VALUES, NO_VALUES, actualBytes, actualHandles);
    }
  }

  /** Result of call: the reply's bytes and handles. */
  public record CallResult(int status, ByteString bytes, int[] handles, int actualBytes, int actualHandles) {
    static CallResult failed(int status) {
      return new CallResult(status, ByteString.EMPTY, NO_VALUES, 0, 0);
    }
  }

  private final Kernel kernel;

  ChannelSyscalls(Kernel kernel) {
    this.kernel = kernel;
  }

  public HandlePairResult create(Process p, int options) {
    if (options != 0) {
      return HandlePairResult.failed(Status.ERR_INVALID_ARGS);
    }
    return Installer.installPair(p, () -> Channel.createPair(kernel), Rights.DEFAULT_CHANNEL, "zx_channel_create");
  }

  public int write(Process p, int handle, int options, ByteString bytes, List<Iovec> iovec, int[] handles) {
    if ((options & ~WRITE_USE_IOVEC) != 0) {
      consumeAll(p, handles);
      return Status.ERR_INVALID_ARGS;
    }
    Handle h = p.handles().get(handle);
    int status = Lookup.check(h, ObjectType.CHANNEL, Rights.WRITE);
    if (status != Status.OK) {
      consumeAll(p, handles);
      return status;
    }
    status = checkBody(options, bytes, iovec, handles.length);
    if (status != Status.OK) {
      consumeAll(p, handles);
      return status;
    }
    Channel channel = (Channel) h.object();
    Handle[] moved = handles.length == 0 ? MessagePacket.NO_HANDLES : p.handles().removeAll(handles);
    status = checkMoved(moved, channel);
    Wakeups wakeups = new Wakeups();
    if (status != Status.OK) {
      releaseAll(moved, wakeups);
    } else {
      MessagePacket message = new MessagePacket(body(options, bytes, iovec), moved);
      status = channel.write(message, wakeups);
      if (status != Status.OK) {
        message.destroy(wakeups);
      }
    }
    wakeups.run();
    return status;
  }

  public WriteEtcResult writeEtc(Process p, int handle, int options, ByteString bytes, List<Iovec> iovec,
      HandleDisposition[] dispositions) {
    if ((options & ~WRITE_USE_IOVEC) != 0) {
      consumeMoves(p, dispositions);
      return new WriteEtcResult(Status.ERR_INVALID_ARGS, false);
    }
    Handle h = p.handles().get(handle);
    int status = Lookup.check(h, ObjectType.CHANNEL, Rights.WRITE);
    if (status == Status.OK) {
      status = checkBody(options, bytes, iovec, dispositions.length);
    }
    if (status != Status.OK) {
      consumeMoves(p, dispositions);
      return new WriteEtcResult(status, false);
    }
    Channel channel = (Channel) h.object();

    // Take every MOVE (and unknown-op) source out of the table and look up every DUPLICATE source, in order,
    // in one step: a MOVE of a value an earlier entry already moved finds nothing (BAD_HANDLE).
    int[] values = new int[dispositions.length];
    boolean[] take = new boolean[dispositions.length];
    for (int i = 0; i < dispositions.length; i++) {
      values[i] = dispositions[i].handle;
      take[i] = dispositions[i].operation != HANDLE_OP_DUPLICATE;
    }
    Handle[] sources = dispositions.length == 0 ? MessagePacket.NO_HANDLES : p.handles().takeOrPeek(values, take);

    Wakeups wakeups = new Wakeups();
    Handle[] carried = new Handle[dispositions.length];
    int first = Status.OK;
    for (int i = 0; i < dispositions.length; i++) {
      HandleDisposition d = dispositions[i];
      d.result = dispose(d, sources[i], channel, carried, i, wakeups);
      if (d.result != Status.OK && first == Status.OK) {
        first = d.result;
      }
    }
    if (first != Status.OK) {
      releaseAll(carried, wakeups);
      wakeups.run();
      return new WriteEtcResult(first, true);
    }
    MessagePacket message = new MessagePacket(body(options, bytes, iovec), carried);
    status = channel.write(message, wakeups);
    if (status != Status.OK) {
      message.destroy(wakeups);
    }
    wakeups.run();
    return new WriteEtcResult(status, status != Status.OK);
  }

  /** One write_etc entry: puts the handle to carry into {@code carried[i]} and returns the entry's result. */
  private static int dispose(HandleDisposition d, Handle source, Channel channel, Handle[] carried, int i,
      Wakeups wakeups) {
    if (source == null) {
      return Status.ERR_BAD_HANDLE;
    }
    if (d.operation != HANDLE_OP_MOVE && d.operation != HANDLE_OP_DUPLICATE) {
      source.release(wakeups);
      return Status.ERR_INVALID_ARGS;
    }
    boolean move = d.operation == HANDLE_OP_MOVE;
    int status = checkDisposition(d, source, channel);
    if (status != Status.OK) {
      if (move) {
        source.release(wakeups);
      }
      return status;
    }
    int rights = d.rights == Rights.SAME_RIGHTS ? source.rights() : d.rights;
    if (move && rights == source.rights()) {
      carried[i] = source;
    } else {
      carried[i] = source.derive(rights, "zx_channel_write_etc");
      if (move) {
        source.release(wakeups);
      }
    }
    return Status.OK;
  }

  private static int checkDisposition(HandleDisposition d, Handle source, Channel channel) {
    if (!source.hasRights(Rights.TRANSFER)) {
      return Status.ERR_ACCESS_DENIED;
    }
    if (source.object() == channel) {
      return Status.ERR_NOT_SUPPORTED;
    }
    if (d.type != ObjectType.NONE && d.type != source.object().type()) {
      return Status.ERR_WRONG_TYPE;
    }
    if (Rights.derive(source.rights(), d.rights) < 0) {
      return Status.ERR_INVALID_ARGS;
    }
    if (d.operation == HANDLE_OP_DUPLICATE && !source.hasRights(Rights.DUPLICATE)) {
      return Status.ERR_ACCESS_DENIED;
    }
    return Status.OK;
  }

  public ReadResult read(Process p, int handle, int options, int numBytes, int numHandles) {
    Handle h = p.handles().get(handle);
    int status = Lookup.check(h, ObjectType.CHANNEL, Rights.READ);
    if (status != Status.OK) {
      return ReadResult.failed(status, 0, 0);
    }
    if ((options & ~READ_MAY_DISCARD) != 0) {
      return ReadResult.failed(Status.ERR_NOT_SUPPORTED, 0, 0);
    }
    Channel channel = (Channel) h.object();
    Wakeups wakeups = new Wakeups();
    Channel.ReadOutcome outcome = channel.read(
        numBytes, numHandles, (options & READ_MAY_DISCARD) != 0, wakeups);
    wakeups.run();
    if (outcome.status() != Status.OK) {
      return ReadResult.failed(outcome.status(), outcome.actualBytes(), outcome.actualHandles());
    }
    MessagePacket message = outcome.message();
    int[] values = install(p, message.handles);
    if (values == null) {
      // No room in the reader's table (or it is dying): the message goes back, nothing is lost.
      Wakeups w = new Wakeups();
      channel.unread(message, w);
      w.run();
      return ReadResult.failed(Status.ERR_NO_RESOURCES, 0, 0);
    }
    int n = message.handles.length;
    int[] types = n == 0 ? NO_VALUES : new int[n];
    int[] rights = n == 0 ? NO_VALUES : new int[n];
    for (int i = 0; i < n; i++) {
      types[i] = message.handles[i].object().type();
      rights[i] = message.handles[i].rights();
    }
    return new ReadResult(Status.OK, message.bytes, values, types, rights, outcome.actualBytes(), n);
  }

  /**
   * zx_channel_call: writes, then completes {@code done} with the reply (or TIMED_OUT / PEER_CLOSED / CANCELED).
   * Returns an action that abandons the wait (the caller's gRPC call went away).
   */
  public Runnable call(Process p, int handle, int options, long deadline, ByteString wrBytes, int[] wrHandles,
      int rdNumBytes, int rdNumHandles, Consumer<CallResult> done) {
    int status = Status.OK;
    Handle h = null;
    // Zircon checks options and the room for a txid before it even looks the channel up.
    if (options != 0 || wrBytes.size() < 4) {
      status = Status.ERR_INVALID_ARGS;
    } else {
      h = p.handles().get(handle);
      status = Lookup.check(h, ObjectType.CHANNEL, Rights.READ | Rights.WRITE);
    }
    if (status == Status.OK) {
      status = checkBody(0, wrBytes, List.of(), wrHandles.length);
    }
    if (status == Status.OK && !p.reserveWait()) {
      status = Status.ERR_NO_RESOURCES; // the daemon's own limit; the handles go as on any failure
    }
    if (status != Status.OK) {
      consumeAll(p, wrHandles);
      done.accept(CallResult.failed(status));
      return () -> {};
    }
    Channel channel = (Channel) h.object();
    Handle[] moved = wrHandles.length == 0 ? MessagePacket.NO_HANDLES : p.handles().removeAll(wrHandles);
    status = checkMoved(moved, channel);
    Wakeups wakeups = new Wakeups();
    if (status != Status.OK) {
      p.releaseWait();
      releaseAll(moved, wakeups);
      wakeups.run();
      done.accept(CallResult.failed(status));
      return () -> {};
    }
    ChannelCall call = new ChannelCall(h, channel, p, rdNumBytes, rdNumHandles, done);
    MessagePacket request = new MessagePacket(wrBytes, moved);
    status = channel.writeCall(call, request, wakeups);
    if (status != Status.OK) {
      p.releaseWait(); // the call never started waiting
      request.destroy(wakeups);
      wakeups.run();
      done.accept(CallResult.failed(status));
      return () -> {};
    }
    wakeups.run();
    call.armDeadline(kernel.timers(), deadline);
    return call::abandon;
  }

  // ---- shared steps ----

  /** Sizes and iovec rules (OUT_OF_RANGE over Zircon's limits, INVALID_ARGS for malformed iovecs). */
  private static int checkBody(int options, ByteString bytes, List<Iovec> iovec, int handleCount) {
    if ((options & WRITE_USE_IOVEC) != 0) {
      if (!bytes.isEmpty()) {
        return Status.ERR_INVALID_ARGS;
      }
      if (iovec.size() > Limits.CHANNEL_MAX_MSG_IOVEC) {
        return Status.ERR_OUT_OF_RANGE;
      }
      long total = 0;
      for (Iovec v : iovec) {
        if (v.reserved() != 0) {
          return Status.ERR_INVALID_ARGS;
        }
        total += v.buffer().size();
      }
      if (total > Limits.CHANNEL_MAX_MSG_BYTES) {
        return Status.ERR_OUT_OF_RANGE;
      }
    } else {
      if (!iovec.isEmpty()) {
        return Status.ERR_INVALID_ARGS;
      }
      if (bytes.size() > Limits.CHANNEL_MAX_MSG_BYTES) {
        return Status.ERR_OUT_OF_RANGE;
      }
    }
    return handleCount > Limits.CHANNEL_MAX_MSG_HANDLES ? Status.ERR_OUT_OF_RANGE : Status.OK;
  }

  private static ByteString body(int options, ByteString bytes, List<Iovec> iovec) {
    if ((options & WRITE_USE_IOVEC) == 0) {
      return bytes;
    }
    ByteString all = ByteString.EMPTY;
    for (Iovec v : iovec) {
      all = all.concat(v.buffer());
    }
    return all;
  }

  /** Per-handle checks of zx_channel_write, in order; the first failure wins. */
  private static int checkMoved(Handle[] moved, Channel channel) {
    int first = Status.OK;
    for (Handle m : moved) {
      int status;
      if (m == null) {
        status = Status.ERR_BAD_HANDLE;
      } else if (!m.hasRights(Rights.TRANSFER)) {
        status = Status.ERR_ACCESS_DENIED;
      } else if (m.object() == channel) {
        status = Status.ERR_NOT_SUPPORTED;
      } else {
        continue;
      }
      if (first == Status.OK) {
        first = status;
      }
    }
    return first;
  }

  /** zx_channel_write's rule: handles given to a failed write are closed anyway. */
  private static void consumeAll(Process p, int[] values) {
    if (values.length == 0) {
      return;
    }
    Wakeups wakeups = new Wakeups();
    releaseAll(p.handles().removeAll(values), wakeups);
    wakeups.run();
  }

  /** write_etc's rule for early failures: MOVE (and unknown-op) sources are closed, DUPLICATE sources kept. */
  private static void consumeMoves(Process p, HandleDisposition[] dispositions) {
    Wakeups wakeups = new Wakeups();
    for (HandleDisposition d : dispositions) {
      if (d.operation != HANDLE_OP_DUPLICATE) {
        Handle h = p.handles().remove(d.handle);
        if (h != null) {
          h.release(wakeups);
        }
      }
    }
    wakeups.run();
  }

  private static void releaseAll(Handle[] handles, Wakeups wakeups) {
    for (Handle h : handles) {
      if (h != null) {
        h.release(wakeups);
      }
    }
  }

  /**
   * Installs received handles in the reader's table, all or none; null when there is no room. Waits made
   * through these handles before they were sent end now (Zircon cancels them when the receiver takes them).
   */
  static int[] install(Process p, Handle[] handles) {
    if (handles.length == 0) {
      return NO_VALUES;
    }
    int[] values = new int[handles.length];
    if (!p.handles().addAll(handles, values)) {
      return null;
    }
    Wakeups wakeups = new Wakeups();
    for (Handle h : handles) {
      h.object().cancelObservers(h, wakeups);
    }
    wakeups.run();
    return values;
  }
}
