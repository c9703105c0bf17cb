package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.zxd.kernel.ChannelSyscalls.CallResult;
import dev.zxd.kernel.ChannelSyscalls.ReadResult;
import dev.zxd.kernel.ObjectSyscalls.WaitResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Syscalls from several threads at once (the RPC layer runs them on whatever thread the call arrives on):
 * nothing lost, nothing completed twice, no observer left behind, nothing leaked.
 */
@ExtendWith(KernelExtension.class)
class ConcurrencyTest {
  private static final int THREADS = 4;
  private ExecutorService pool;

  @BeforeEach
  void startPool() {
    pool = Executors.newFixedThreadPool(THREADS);
  }

  @AfterEach
  void stopPool() throws InterruptedException {
    pool.shutdownNow();
    assertTrue(pool.awaitTermination(5, TimeUnit.SECONDS), "worker threads stuck");
  }

  /** Runs the tasks together (released at once) and returns their results, failing on any error. */
  private <T> List<T> together(List<Callable<T>> tasks) throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<Future<T>> futures = new ArrayList<>();
    for (Callable<T> task : tasks) {
      futures.add(pool.submit(() -> {
        go.await();
        return task.call();
      }));
    }
    go.countDown();
    List<T> results = new ArrayList<>();
    for (Future<T> fu : futures) {
      results.add(fu.get(20, TimeUnit.SECONDS));
    }
    return results;
  }

  @Test
  void concurrentWritersAndAReaderLoseNothing(KernelFixture f) throws Exception {
    Process p = f.process();
    int[] ch = f.channel(p);
    int writers = THREADS - 1;
    int perWriter = 300;
    List<Callable<Integer>> tasks = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int id = w;
      tasks.add(() -> {
        for (int i = 0; i < perWriter; i++) {
          int ev = f.event(p);
          assertStatus(Status.OK, f.write(p, ch[0], id + ":" + i, ev));
        }
        return 0;
      });
    }
    tasks.add(() -> {
      int got = 0;
      int[] next = new int[writers];
      while (got < writers * perWriter) {
        ReadResult r = f.kernel().channel().read(p, ch[1], 0, 100, 1);
        if (r.status() == Status.ERR_SHOULD_WAIT) {
          Outcome<WaitResult> readable = new Outcome<>();
          f.kernel().object().waitOne(p, ch[1], Signals.CHANNEL_READABLE, MonotonicClock.INFINITE, readable);
          assertStatus(Status.OK, readable.get().status());
          continue;
        }
        assertStatus(Status.OK, r.status());
        String[] parts = r.bytes().toStringUtf8().split(":");
        int writer = Integer.parseInt(parts[0]);
        assertEquals(next[writer]++, Integer.parseInt(parts[1]), "one writer's messages stay in order");
        assertStatus(Status.OK, f.kernel().handle().close(p, r.handles()[0]));
        got++;
      }
      return got;
    });
    List<Integer> results = together(tasks);
    assertEquals(writers * perWriter, results.get(writers));
    assertEquals(0, f.kernel().objects().count(ObjectType.EVENT), "every event was received and closed");
    assertEquals(2, p.handleTableSize());
  }

  @Test
  void waitsRacingSignalsAndClosesCompleteExactlyOnce(KernelFixture f) throws Exception {
    Process p = f.process();
    int rounds = 300;
    List<Outcome<WaitResult>> outcomes = new ArrayList<>();
    List<KernelObject> objects = new ArrayList<>();
    List<int[]> handles = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      int ev = f.event(p);
      int dup = f.duplicate(p, ev, Rights.SAME_RIGHTS);
      handles.add(new int[] {ev, dup});
      objects.add(f.object(p, ev));
    }
    List<Callable<Integer>> tasks = new ArrayList<>();
    tasks.add(() -> { // waiters: through dup, with short deadlines
      for (int i = 0; i < rounds; i++) {
        Outcome<WaitResult> out = new Outcome<>();
        synchronized (outcomes) {
          outcomes.add(out);
        }
        f.kernel().object().waitOne(p, handles.get(i)[1], Signals.USER_0, f.after(Duration.ofMillis(i % 3)), out);
      }
      return 0;
    });
    tasks.add(() -> { // signalers, through the original handle
      for (int i = 0; i < rounds; i++) {
        f.kernel().object().signal(p, handles.get(i)[0], 0, Signals.USER_0);
      }
      return 0;
    });
    tasks.add(() -> { // closers of the waited-on handle
      for (int i = rounds - 1; i >= 0; i--) {
        f.kernel().handle().close(p, handles.get(i)[1]);
      }
      return 0;
    });
    together(tasks);
    Set<Integer> seen = new HashSet<>();
    for (Outcome<WaitResult> out : outcomes) {
      WaitResult r = out.get();
      seen.add(r.status());
      assertTrue(r.status() == Status.OK || r.status() == Status.ERR_TIMED_OUT || r.status() == Status.ERR_CANCELED
          || r.status() == Status.ERR_BAD_HANDLE, "unexpected " + Status.name(r.status()));
      if (r.status() == Status.ERR_CANCELED) {
        assertTrue((r.observed() & Signals.HANDLE_CLOSED) != 0);
      }
      if (r.status() == Status.OK) {
        assertTrue((r.observed() & Signals.USER_0) != 0);
      }
    }
    // Every outcome was reported exactly once (Outcome.get checks), and no wait is left on any object.
    for (KernelObject o : objects) {
      assertEquals(0, o.observerCount(), () -> "observer left on " + o + "; outcomes seen: " + seen);
    }
  }

  @RepeatedTest(5)
  void aWaitRacingTheCloseOfItsHandleIsCanceledNeverOrphaned(KernelFixture f) throws Exception {
    // No deadline and no signal: the only way such a wait can end is its handle being closed. One registered
    // through a handle that another thread closes at the same moment must end too (Zircon registers under the
    // handle table lock, so the close either comes first, BAD_HANDLE, or cancels it, CANCELED).
    Process p = f.process();
    int rounds = 2000;
    int[] values = new int[rounds];
    List<KernelObject> objects = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      int ev = f.event(p);
      values[i] = f.duplicate(p, ev, Rights.SAME_RIGHTS);
      objects.add(f.object(p, ev));
    }
    List<Outcome<WaitResult>> outcomes = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      outcomes.add(new Outcome<>());
    }
    List<Callable<Integer>> tasks = new ArrayList<>();
    tasks.add(() -> {
      for (int i = 0; i < rounds; i++) {
        f.kernel().object().waitOne(p, values[i], Signals.USER_0, MonotonicClock.INFINITE, outcomes.get(i));
      }
      return 0;
    });
    tasks.add(() -> {
      for (int i = 0; i < rounds; i++) {
        f.kernel().handle().close(p, values[i]);
      }
      return 0;
    });
    together(tasks);
    for (int i = 0; i < rounds; i++) {
      int index = i;
      assertEquals(0, objects.get(i).observerCount(), () -> "wait " + index + " orphaned on " + objects.get(index));
      int status = outcomes.get(i).get().status();
      assertTrue(status == Status.ERR_CANCELED || status == Status.ERR_BAD_HANDLE, Status.name(status));
    }
  }

  @Test
  void callsRacingTheirDeadlinesEitherGetTheReplyOrFindItQueued(KernelFixture f) throws Exception {
    Process p = f.process();
    int[] ch = f.channel(p);
    int calls = 300;
    List<Outcome<CallResult>> outcomes = new ArrayList<>();
    List<Callable<Integer>> tasks = new ArrayList<>();
    tasks.add(() -> { // the client: calls with deadlines a few hundred microseconds away
      for (int i = 0; i < calls; i++) {
        Outcome<CallResult> out = new Outcome<>();
        synchronized (outcomes) {
          outcomes.add(out);
        }
        f.kernel().channel().call(p, ch[0], 0, f.after(Duration.ofNanos(100_000L * (i % 5))),
            ByteString.copyFromUtf8("\0\0\0\0" + i), new int[0], 100, 1, out);
      }
      return 0;
    });
    tasks.add(() -> { // the server: answers every request, carrying an event
      int answered = 0;
      while (answered < calls) {
        ReadResult r = f.kernel().channel().read(p, ch[1], 0, 100, 0);
        if (r.status() == Status.ERR_SHOULD_WAIT) {
          Outcome<WaitResult> readable = new Outcome<>();
          f.kernel().object().waitOne(p, ch[1], Signals.CHANNEL_READABLE, MonotonicClock.INFINITE, readable);
          assertStatus(Status.OK, readable.get().status());
          continue;
        }
        assertStatus(Status.OK, r.status());
        int ev = f.event(p);
        assertStatus(Status.OK, f.write(p, ch[1], r.bytes(), ev));
        answered++;
      }
      return answered;
    });
    together(tasks);
    int ok = 0;
    int timedOut = 0;
    for (Outcome<CallResult> out : outcomes) {
      CallResult r = out.get();
      if (r.status() == Status.OK) {
        ok++;
        assertStatus(Status.OK, f.kernel().handle().close(p, r.handles()[0]));
      } else {
        assertStatus(Status.ERR_TIMED_OUT, r.status());
        timedOut++;
      }
    }
    int queued = 0;
    while (true) {
      ReadResult late = f.kernel().channel().read(p, ch[0], 0, 100, 1);
      if (late.status() != Status.OK) {
        assertStatus(Status.ERR_SHOULD_WAIT, late.status());
        break;
      }
      queued++;
      f.close(p, late.handles()[0]);
    }
    assertEquals(calls, ok + timedOut);
    assertEquals(timedOut, queued, "each timed-out call's reply was queued instead (ok=" + ok + ")");
    assertEquals(0, f.object(p, ch[0]).observerCount());
    assertEquals(0, f.kernel().objects().count(ObjectType.EVENT));
  }

  @Test
  void processesDyingWhileTheirPeersWrite(KernelFixture f) throws Exception {
    Process parent = f.process();
    List<Process> children = new ArrayList<>();
    List<Integer> parentEnds = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ProcessSyscalls.CreateResult c = f.kernel().process().create(parent, "c" + i, 0);
      int[] ch = f.channel(parent);
      assertStatus(Status.OK, f.kernel().process().start(parent, c.procHandle(), ch[1]));
      assertStatus(Status.OK, f.kernel().handle().close(parent, c.procHandle()));
      children.add(c.process());
      parentEnds.add(ch[0]);
    }
    List<Callable<Integer>> tasks = new ArrayList<>();
    tasks.add(() -> {
      for (Process c : children) {
        c.kill(Process.RETCODE_KILLED);
      }
      return 0;
    });
    tasks.add(() -> {
      int peerClosed = 0;
      for (int round = 0; round < 50; round++) {
        for (int end : parentEnds) {
          int ev = f.event(parent);
          int status = f.write(parent, end, "x", ev);
          assertTrue(status == Status.OK || status == Status.ERR_PEER_CLOSED, Status.name(status));
          if (status == Status.ERR_PEER_CLOSED) {
            peerClosed++;
          }
        }
      }
      return peerClosed;
    });
    together(tasks);
    for (int end : parentEnds) {
      assertEquals(Signals.CHANNEL_PEER_CLOSED, f.signals(parent, end));
    }
    assertEquals(0, f.kernel().objects().count(ObjectType.EVENT),
        "events queued to a dying child die with its end; later ones were closed by the failed write");
  }
}
