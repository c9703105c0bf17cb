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

  /** The stall clock of one stream. */
  final class Watch {
    private final BooleanSupplier ready;
    private final Runnable onStall;
    private Timers.Scheduled running; // guarded by this
    private boolean done; // guarded by this

    private Watch(BooleanSupplier ready, Runnable onStall) {
      this.ready = ready;
      this.onStall = onStall;
    }

    /** A reply is waiting and the client is not ready for it: start the clock, unless it is running. */
    void blocked() {
      synchronized (this) {
        if (done || running != null) {
          return;
        }
        long nanos = limit.toNanos();
        long now = kernel.clock().now();
        running = kernel.timers().at(nanos >= Long.MAX_VALUE - now ? Long.MAX_VALUE : now + nanos, this::runOut);
      }
    }

    /** The client read: stop the clock. */
    void progressed() {
      Timers.Scheduled s;
      synchronized (this) {
        s = running;
        running = null;
      }
      if (s != null) {
        s.cancel();
      }
    }

    /** The stream ended some other way. */
    void close() {
      synchronized (this) {
        done = true;
      }
      progressed();
    }

    private void runOut() {
      synchronized (this) {
        if (done || running == null) {
          return; // stopped while it fired
        }
        running = null;
        if (ready.getAsBoolean()) {
          return; // the client read at the last moment; the next block starts a new clock
        }
        done = true;
      }
      onStall.run();
      ended.incrementAndGet(); // after: by then a Kernel/Invoke or Debug/Trace stream has dropped its waits
    }
  }
}
