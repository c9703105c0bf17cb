package dev.zxd.kernel;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A simulated process: a handle table and a lifetime. Its client is a session that carries the process's token.
 * The process object is also what a parent's process handle names: it asserts ZX_TASK_TERMINATED when the
 * process dies, and survives (dead) while handles to it remain.
 */
public final class Process extends KernelObject {
  /** zx_task_kill's return code (ZX_TASK_RETCODE_SYSCALL_KILL). */
  public static final long RETCODE_KILLED = -1024;
  /** The return code of a process whose client went away (lease or grace period ran out). */
  public static final long RETCODE_LEASE_EXPIRED = -1025;
  /** The return code of processes ended by daemon shutdown. */
  public static final long RETCODE_SHUTDOWN = -1026;

  public enum State { NEW, RUNNING, DEAD }

  /** What a started process finds at startup. */
  public record StartupInfo(long processId, String name, int arg1) {}

  private final HandleTable handles;
  private final long parentKoid;
  private final byte[] sessionSecret;
  private final Lease lease;
  private final long createdAt;
  /** Waits this process has pending (wait_one, wait_many, port_wait, wait_async, channel_call). */
  private final AtomicInteger pendingWaits = new AtomicInteger();

  private String name; // guarded by lock
  private State state; // guarded by lock
  private long returnCode; // guarded by lock
  private int arg1; // guarded by lock
  private long startTime; // guarded by lock: 0 until started
  private List<Consumer<StartupInfo>> startWaiters; // guarded by lock
  private List<Runnable> deathWatchers; // guarded by lock

  Process(Kernel kernel, String name, long parentKoid, boolean started) {
    super(kernel, new Object(), 0);
    this.name = truncateName(name);
    this.parentKoid = parentKoid;
    this.state = started ? State.RUNNING : State.NEW;
    this.startTime = started ? kernel.clock().now() : 0;
    this.handles = new HandleTable(kernel.random().nextInt(), kernel.config().maxHandlesPerProcess());
    this.sessionSecret = new byte[SecretTokens.SECRET_BYTES];
    kernel.random().nextBytes(sessionSecret);
    this.lease = new Lease(this, kernel.clock(), kernel.timers(), kernel.config());
    this.createdAt = kernel.clock().now();
  }

  static String truncateName(String name) {
    byte[] bytes = name == null ? new byte[0] : name.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= Limits.MAX_NAME_LEN - 1) {
      return name == null ? "" : name;
    }
    return new String(bytes, 0, Limits.MAX_NAME_LEN - 1, StandardCharsets.UTF_8);
  }

  @Override
  public int type() {
    return ObjectType.PROCESS;
  }

  @Override
  protected boolean keptAliveLocked() {
    return state != State.DEAD;
  }

  HandleTable handles() {
    return handles;
  }

  byte[] sessionSecret() {
    return sessionSecret;
  }

  public Lease lease() {
    return lease;
  }

  public long parentKoid() {
    return parentKoid;
  }

  public long createdAt() {
    return createdAt;
  }

  public String name() {
    synchronized (lock) {
      return name;
    }
  }

  void setName(String newName) {
    synchronized (lock) {
      name = truncateName(newName);
    }
  }

  public State state() {
    synchronized (lock) {
      return state;
    }
  }

  public boolean isAlive() {
    return state() != State.DEAD;
  }

  public long returnCode() {
    synchronized (lock) {
      return returnCode;
    }
  }

  /** ZX_INFO_PROCESS: return code, start time, and the STARTED (1) / EXITED (2) flags. */
  public InfoRecord.ProcessInfo info() {
    synchronized (lock) {
      int flags = (startTime != 0 ? 1 : 0) | (state == State.DEAD ? 2 : 0);
      return new InfoRecord.ProcessInfo(returnCode, startTime, flags);
    }
  }

  public int handleTableSize() {
    return handles.size();
  }

  /** The process's handles by value, copied: for introspection and invariant checks. */
  public Map<Integer, Handle> handleSnapshot() {
    return handles.snapshot();
  }

  /** Looks a value up in this process's table; null if it names nothing here. */
  public Handle handle(int value) {
    return handles.get(value);
  }

  // ---- pending waits ----

  /**
   * Takes one of the process's pending-wait slots (one compare-and-set), or returns false, taking nothing,
   * when all {@link KernelConfig#maxPendingWaitsPerProcess} are in use. Every successful call is matched by
   * exactly one {@link #releaseWait} when the wait ends, however it ends.
   */
  boolean reserveWait() {
    int max = kernel.config().maxPendingWaitsPerProcess();
    while (true) {
      int n = pendingWaits.get();
      if (n >= max) {
        return false;
      }
      if (pendingWaits.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  void releaseWait() {
    pendingWaits.decrementAndGet();
  }

  /** Waits pending now, counted against the per-process limit. */
  public int pendingWaits() {
    return pendingWaits.get();
  }

  // ---- start ----

  /** Moves the process from NEW to RUNNING with arg1 already installed in its table. */
  int start(int arg1Value) {
    List<Consumer<StartupInfo>> waiters;
    StartupInfo info;
    synchronized (lock) {
      if (state != State.NEW) {
        return Status.ERR_BAD_STATE;
      }
      state = State.RUNNING;
      startTime = kernel.clock().now();
      arg1 = arg1Value;
      waiters = startWaiters;
      startWaiters = null;
      info = new StartupInfo(koid(), name, arg1);
    }
    if (waiters != null) {
      waiters.forEach(w -> w.accept(info));
    }
    return Status.OK;
  }

  /**
   * Calls {@code onStarted} once the process is started (now, if it already is). Returns an action that
   * withdraws the request, for a caller who stops waiting.
   */
  public Runnable whenStarted(Consumer<StartupInfo> onStarted) {
    StartupInfo info;
    synchronized (lock) {
      if (state == State.NEW) {
        if (startWaiters == null) {
          startWaiters = new ArrayList<>(1);
        }
        startWaiters.add(onStarted);
        return () -> {
          synchronized (lock) {
            if (startWaiters != null) {
              startWaiters.remove(onStarted);
            }
          }
        };
      }
      info = new StartupInfo(koid(), name, arg1);
    }
    onStarted.accept(info);
    return () -> {};
  }

  /** Calls {@code onDeath} once the process dies (now, if it is dead). Returns an action that withdraws it. */
  public Runnable whenDead(Runnable onDeath) {
    synchronized (lock) {
      if (state != State.DEAD) {
        if (deathWatchers == null) {
          deathWatchers = new ArrayList<>(1);
        }
        deathWatchers.add(onDeath);
        return () -> {
          synchronized (lock) {
            if (deathWatchers != null) {
              deathWatchers.remove(onDeath);
            }
          }
        };
      }
    }
    onDeath.run();
    return () -> {};
  }

  // ---- death ----

  /**
   * Ends the process: every handle it holds is closed (peers see PEER_CLOSED, its waits end), and the process
   * object asserts ZX_TASK_TERMINATED. Killing a dead process does nothing.
   */
  public void kill(long code) {
    synchronized (lock) {
      if (state == State.DEAD) {
        return;
      }
      state = State.DEAD;
      returnCode = code;
    }
    lease.end();
    kernel.processes().remove(this);
    Wakeups wakeups = new Wakeups();
    List<Handle> held = handles.closeAll();
    for (Handle h : held) {
      h.release(wakeups);
    }
    List<Runnable> watchers;
    List<Consumer<StartupInfo>> never;
    synchronized (lock) {
      updateStateLocked(0, Signals.TASK_TERMINATED, wakeups);
      watchers = deathWatchers;
      deathWatchers = null;
      never = startWaiters;
      startWaiters = null;
    }
    wakeups.run();
    if (watchers != null) {
      watchers.forEach(Runnable::run);
    }
    if (never != null) {
      // A process killed before it was started never runs: tell whoever waited for its start.
      StartupInfo dead = new StartupInfo(koid(), name(), 0);
      never.forEach(w -> w.accept(dead));
    }
    kernel.onProcessDeath(this, held);
    maybeDestroy();
  }
}
