package dev.zxd.kernel;

/**
 * Work deferred until the caller holds no object lock: completing waits, releasing handles that were inside a
 * destroyed message, notifying peers. Objects add to it while locked; the syscall runs it once it has unlocked.
 *
 * <p>Work added while running is run too, in order, iteratively, so that destroying a channel nested 10 000
 * messages deep uses no deeper stack than destroying one.
 */
public final class Wakeups {
  private Runnable[] queue;
  private int head;
  private int tail;

  public void add(Runnable work) {
    if (queue == null) {
      queue = new Runnable[4];
    } else if (tail == queue.length) {
      if (head > 0) {
        System.arraycopy(queue, head, queue, 0, tail - head);
        java.util.Arrays.fill(queue, tail - head, tail, null);
        tail -= head;
        head = 0;
      } else {
        queue = java.util.Arrays.copyOf(queue, queue.length * 2);
      }
    }
    queue[tail++] = work;
  }

  /** Defers the release of a handle whose object must not be touched under the current lock. */
  public void release(Handle handle) {
    add(() -> handle.release(this));
  }

  public boolean isEmpty() {
    return head == tail;
  }

  /** Runs everything queued, including what the work itself queues. Call with no object lock held. */
  public void run() {
    while (head < tail) {
      Runnable work = queue[head];
      queue[head++] = null;
      work.run();
    }
    head = 0;
    tail = 0;
  }
}
