package dev.zxd.rpc;

import dev.zxd.kernel.Kernel;
import dev.zxd.kernel.Timers;
import io.grpc.Status;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * How long a reply stream may hold replies its client is not reading (setting {@code stream-stall-timeout}).
 * gRPC flow control already bounds what such a stream buffers; this bounds how long it keeps those buffers,
 * its pending waits and its place in the daemon. Each stream gets a {@link Watch}: started when a reply is
 * waiting and the client is not ready for it, stopped when the client reads again, and run out on the
 * kernel's timer thread (no thread waits for it).
 */
public final class StreamStallLimit {
  private final Kernel kernel;
  private final Duration limit;
  private final java.util.concurrent.atomic.AtomicLong ended = new java.util.concurrent.atomic.AtomicLong();

  public StreamStallLimit(Kernel kernel, Duration limit) {
    this.kernel = kernel;
    this.limit = limit;
  }

  public Duration limit() {
    return limit;
  }

  /** How many streams were ended for stalling since the daemon started (metric zxd_streams_stalled_total). */
  public long streamsEnded() {
    return ended.get();
  }

  /** The status a stalled stream ends with. */
  Status status(String stream) {
    return Status.RESOURCE_EXHAUSTED.withDescription(stream + ": the client read no reply for "
        + limit.toMillis() + " ms while replies were waiting (stream-stall-timeout); the stream is ended and "
        + "its pending waits are canceled");
  }

  /**
   * A watch for one stream. {@code ready} says whether the client can take more now (checked once more when
   * the limit runs out, so a client that just read is not cut off); {@code onStall} ends the stream.
   */
  Watch watch(BooleanSupplier ready, Runnable onStall) {
    return new Watch(ready, onStall);
  }

  /**
   * The stall clock of one stream. A large reply leaves its stream not ready until the client has read it, so a
   * busy stream blocks and progresses once per reply or so. Starting and stopping a timer each time cost a
   * scheduler insertion, a removal and a wakeup of the timer thread per reply. So progress only clears the time
   * the stream blocked at, and at most one timer per stream is pending: when it fires for a stream that has
   * blocked again since, it is set again for the new block's limit.
   */
  final class Watch {
    private static final long NOT_BLOCKED = Long.MIN_VALUE;
    private final BooleanSupplier ready;
    private final Runnable onStall;
    private long blockedSince = NOT_BLOCKED; // guarded by this
    private Timers.Scheduled pending; // guarded by this; the one timer, if set
    private boolean done; // guarded by this

    private Watch(BooleanSupplier ready, Runnable onStall) {
      this.ready = ready;
      this.onStall = onStall;
    }

    /** A reply is waiting and the client is not ready for it: start the clock, unless it is running. */
    void blocked() {
      synchronized (this) {
        if (done || blockedSince != NOT_BLOCKED) {
          return;
        }
        blockedSince = kernel.clock().now();
        if (pending == null) {
          armLocked(blockedSince);
        }
      }
    }

    /** The client read: stop the clock (a timer already set stays, and finds the stream unblocked). */
    void progressed() {
      synchronized (this) {
        blockedSince = NOT_BLOCKED;
      }
    }

    /** The stream ended some other way. */
    void close() {
      Timers.Scheduled s;
      synchronized (this) {
        done = true;
        s = pending;
        pending = null;
      }
      if (s != null) {
        s.cancel();
      }
    }

    private void armLocked(long since) {
      long nanos = limit.toNanos();
      pending = kernel.timers().at(nanos >= Long.MAX_VALUE - since ? Long.MAX_VALUE : since + nanos, this::runOut);
    }

    private void runOut() {
      synchronized (this) {
        pending = null;
        if (done || blockedSince == NOT_BLOCKED) {
          return; // ended, or not blocked now: the next block sets a timer again
        }
        if (kernel.clock().now() - blockedSince < limit.toNanos()) {
          armLocked(blockedSince); // blocked again since this timer was set: wait out the new block's limit
          return;
        }
        if (ready.getAsBoolean()) {
          blockedSince = NOT_BLOCKED; // the client read at the last moment; the next block starts a new clock
          return;
        }
        done = true;
      }
      onStall.run();
      ended.incrementAndGet(); // after: by then a Kernel/Invoke or Debug/Trace stream has dropped its waits
    }
  }
}
