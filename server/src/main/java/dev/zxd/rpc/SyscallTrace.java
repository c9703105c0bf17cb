package dev.zxd.rpc;

import dev.zxd.proto.v1.TraceEvent;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * The syscall trace: a ring of the most recent events, each with a sequence number that follows the order the
 * kernel executed the syscalls in (see {@link SyscallInstrumentation} for how). Syscalls only reserve a number
 * and store their event; readers drain the ring on their own thread, so a slow reader never slows a syscall:
 * it loses the events the ring overwrote before it got to them, and is told how many.
 *
 * <p>While nobody reads, syscalls record nothing at all.
 */
public final class SyscallTrace implements AutoCloseable {
  /** One recorded syscall; formatted into a {@link TraceEvent} on the reader's thread. */
  interface Entry {
    long sequence();

    long processId();

    TraceEvent toEvent(long droppedBefore);
  }

  private final int capacity;
  private final AtomicReferenceArray<Entry> ring;
  private final AtomicLong next = new AtomicLong();
  private final Set<Reader> readers = ConcurrentHashMap.newKeySet();
  private final ExecutorService drainer = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "zxd-trace");
    t.setDaemon(true);
    return t;
  });
  private final java.util.concurrent.atomic.AtomicInteger readerCount = new java.util.concurrent.atomic.AtomicInteger();

  public SyscallTrace(int capacity) {
    int c = Integer.highestOneBit(Math.max(16, capacity - 1) << 1);
    this.capacity = c;
    this.ring = new AtomicReferenceArray<>(c);
  }

  /** Whether anyone is reading; syscalls skip tracing entirely when not. */
  public boolean isActive() {
    return readerCount.get() > 0;
  }

  long reserve() {
    return next.getAndIncrement();
  }

  void store(Entry entry) {
    ring.set((int) (entry.sequence() & (capacity - 1)), entry);
    for (Reader r : readers) {
      r.wake();
    }
  }

  /**
   * Starts a reader of new events (of {@code processId} only, or all when 0). {@code sink} is called on the
   * trace thread while {@code ready} says the consumer can take more; call {@link Reader#wake} when it can
   * again. Close the reader to stop.
   */
  public Reader open(long processId, Consumer<TraceEvent> sink, java.util.function.BooleanSupplier ready) {
    return open(processId, sink, ready, () -> {});
  }

  /** As {@link #open(long, Consumer, java.util.function.BooleanSupplier)}; {@code onEnd} runs if the trace ends. */
  public Reader open(long processId, Consumer<TraceEvent> sink, java.util.function.BooleanSupplier ready,
      Runnable onEnd) {
    readerCount.incrementAndGet();
    Reader r = new Reader(processId, sink, ready, next.get(), onEnd);
    readers.add(r);
    return r;
  }

  /** Events traced since the daemon started. */
  public long recorded() {
    return next.get();
  }

  /** Ends every reader (their streams complete) and stops the trace thread. */
  @Override
  public void close() {
    for (Reader r : readers) {
      r.close();
      r.onEnd.run();
    }
    drainer.shutdownNow();
  }

  /** One consumer of the trace, with its own position in the ring. */
  public final class Reader implements AutoCloseable {
    private final long processId;
    private final Consumer<TraceEvent> sink;
    private final java.util.function.BooleanSupplier ready;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private long cursor; // only touched on the trace thread
    private long dropped; // only touched on the trace thread
    private final Runnable onEnd;
    private volatile boolean closed;

    private Reader(long processId, Consumer<TraceEvent> sink, java.util.function.BooleanSupplier ready,
        long start, Runnable onEnd) {
      this.processId = processId;
      this.sink = sink;
      this.ready = ready;
      this.cursor = start;
      this.onEnd = onEnd;
    }

    /** Asks for a drain on the trace thread (cheap; coalesced). */
    public void wake() {
      if (!closed && scheduled.compareAndSet(false, true)) {
        try {
          drainer.execute(this::drain);
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
          scheduled.set(false);
        }
      }
    }

    private void drain() {
      scheduled.set(false);
      while (!closed && ready.getAsBoolean()) {
        long oldest = next.get() - capacity;
        if (cursor < oldest) {
          dropped += oldest - cursor;
          cursor = oldest;
        }
        Entry e = ring.get((int) (cursor & (capacity - 1)));
        if (e == null || e.sequence() < cursor) {
          return; // reserved but not stored yet: its store() wakes us
        }
        if (e.sequence() > cursor) {
          continue; // lapped while we looked; recount from the oldest
        }
        cursor++;
        if (processId != 0 && e.processId() != processId) {
          continue;
        }
        sink.accept(e.toEvent(dropped));
        dropped = 0;
      }
    }

    @Override
    public void close() {
      closed = true;
      if (readers.remove(this)) {
        readerCount.decrementAndGet();
      }
    }
  }
}
