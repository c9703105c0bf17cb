package dev.zxd.benchmarks;

import dev.zxd.kernel.HandlePairResult;
import dev.zxd.kernel.HandleResult;
import dev.zxd.kernel.Kernel;
import dev.zxd.kernel.KernelConfig;
import dev.zxd.kernel.Process;
import dev.zxd.kernel.ProcessSyscalls;
import dev.zxd.kernel.Status;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One benchmark thread's kernel and processes, made through the public syscalls as a client would, and the
 * census that proves an operation leaves the kernel as it found it (no object, handle, token, timer or byte
 * left behind). Every setup step fails fast on a status that is not OK.
 */
final class World implements AutoCloseable {
  final Kernel kernel = new Kernel(KernelConfig.DEFAULTS);
  private final List<Process> processes = new ArrayList<>();
  private long[] baseline;

  /** A new top-level process, held as a KeepAlive stream holds it, so the 30 s lease never ends it mid-run. */
  Process process(String name) {
    ProcessSyscalls.CreateResult r = kernel.process().create(null, name, 0);
    ok(r.status(), "process_create " + name);
    return track(r.process());
  }

  /**
   * A child of {@code parent}, started with {@code arg1} (a handle of the parent's) moved into its table.
   * Returns the child; {@code arg1InChild[0]} receives the handle's value there.
   */
  Process child(Process parent, String name, int arg1, int[] arg1InChild) {
    ProcessSyscalls.CreateResult r = kernel.process().create(parent, name, 0);
    ok(r.status(), "process_create " + name);
    ok(kernel.process().start(parent, r.procHandle(), arg1), "process_start " + name);
    r.process().whenStarted(info -> arg1InChild[0] = info.arg1());
    if (arg1InChild[0] == 0) {
      throw new IllegalStateException("process_start " + name + ": arg1 not installed");
    }
    return track(r.process());
  }

  private Process track(Process p) {
    p.lease().hold();
    processes.add(p);
    return p;
  }

  int[] channel(Process p) {
    HandlePairResult r = kernel.channel().create(p, 0);
    ok(r.status(), "channel_create");
    return new int[] {r.out0(), r.out1()};
  }

  int[] socket(Process p, int options) {
    HandlePairResult r = kernel.socket().create(p, options);
    ok(r.status(), "socket_create");
    return new int[] {r.out0(), r.out1()};
  }

  int event(Process p) {
    HandleResult r = kernel.event().create(p, 0);
    ok(r.status(), "event_create");
    return r.out();
  }

  static int ok(int status, String what) {
    if (status != Status.OK) {
      throw new IllegalStateException(what + ": " + Status.name(status));
    }
    return status;
  }

  /**
   * Records the kernel's census (plus the caller's own figures, e.g. queue depths) as the state every
   * operation must return to.
   */
  void mark(long... extra) {
    baseline = census(extra);
  }

  /**
   * Fails unless every status the benchmark accumulated (OR-ed) was OK and the census is what {@link #mark}
   * recorded.
   */
  void verify(String what, int accumulatedStatus, long... extra) {
    if (accumulatedStatus != Status.OK) {
      throw new IllegalStateException(what + ": a syscall failed (OR of statuses " + accumulatedStatus + ")");
    }
    long[] now = census(extra);
    if (!Arrays.equals(baseline, now)) {
      throw new IllegalStateException(what + ": kernel state changed: " + Arrays.toString(baseline) + " -> "
          + Arrays.toString(now) + " (objects, tokens, memory, timers, handles per process..., extra...)");
    }
  }

  private long[] census(long[] extra) {
    long[] c = new long[4 + processes.size() + extra.length];
    int i = 0;
    c[i++] = kernel.objects().size();
    c[i++] = kernel.tokens().size();
    c[i++] = kernel.memory().used();
    c[i++] = kernel.timers().pending();
    for (Process p : processes) {
      c[i++] = p.isAlive() ? p.handleTableSize() : -1;
    }
    for (long e : extra) {
      c[i++] = e;
    }
    return c;
  }

  @Override
  public void close() {
    kernel.close();
  }
}
