package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cycle collector: channel endpoints reachable only from message queues (a deviation from Zircon, where they
 * leak) are freed, and nothing a live process can reach, or could tell apart, is touched.
 */
@ExtendWith(KernelExtension.class)
class CycleCollectorTest {

  /** Lets the automatic pass that the last syscall asked for run to the end. */
  private static void settle(KernelFixture f) {
    KernelExtension.awaitCollector(f.kernel());
  }

  @Test
  void anEndpointQueuedOnItselfIsFreedOnceItsPeerCloses(KernelFixture f) {
    Process p = f.process();
    int[] ab = f.channel(p);
    long a = f.koid(p, ab[0]);
    long b = f.koid(p, ab[1]);
    f.writeOk(p, ab[0], "b into its own queue", ab[1]);
    assertTrue(f.alive(b), "b is still reachable as a's peer");
    f.close(p, ab[0]);

    settle(f);
    assertFalse(f.alive(a));
    assertFalse(f.alive(b), "b was reachable only from its own queue");
    assertEquals(1, f.kernel().objects().size(), "only the process is left");
    assertTrue(f.kernel().cycles().freed() >= 1);
    assertTrue(p.isAlive());
  }

  @Test
  void aCycleThroughTwoChannelsIsFreed(KernelFixture f) {
    Process p = f.process();
    int[] one = f.channel(p);
    int[] two = f.channel(p);
    List<Long> koids = List.of(f.koid(p, one[0]), f.koid(p, one[1]), f.koid(p, two[0]), f.koid(p, two[1]));
    f.writeOk(p, one[0], "b2 into b1's queue", two[1]);
    f.writeOk(p, two[0], "b1 into b2's queue", one[1]);
    f.close(p, one[0]);
    f.close(p, two[0]);

    settle(f);
    for (long koid : koids) {
      assertFalse(f.alive(koid), "koid " + koid);
    }
    assertEquals(1, f.kernel().objects().size());
  }

  @Test
  void aLongRingIsFreedInOnePass(KernelFixture f) {
    Process p = f.process();
    int n = 1_000;
    int[][] pairs = new int[n][];
    for (int i = 0; i < n; i++) {
      pairs[i] = f.channel(p);
    }
    // b[i] goes into b[i+1]'s queue (written through a[i+1]): a ring of n endpoints once every a[i] is closed.
    for (int i = 0; i < n; i++) {
      f.writeOk(p, pairs[(i + 1) % n][0], "ring", pairs[i][1]);
    }
    settle(f);
    for (int[] pair : pairs) {
      f.close(p, pair[0]);
    }
    settle(f);
    assertEquals(1, f.kernel().objects().size());
  }

  @Test
  void aRingReachableThroughAQueueIsKeptUntilItIsNot(KernelFixture f) {
    Process p = f.process();
    int[] one = f.channel(p);
    int[] two = f.channel(p);
    int[] cd = f.channel(p);
    long b1 = f.koid(p, one[1]);
    long b2 = f.koid(p, two[1]);
    f.writeOk(p, one[0], "b2 into b1's queue", two[1]);
    f.writeOk(p, two[0], "b1 into b2's queue", one[1]);
    f.writeOk(p, cd[0], "a1 into d's queue", one[0]);
    f.close(p, two[0]);
    settle(f);

    assertEquals(0, f.kernel().cycles().collect(), "d's queue reaches a1, whose peer b1 holds b2");
    assertTrue(f.alive(b1) && f.alive(b2));
    int a1 = f.readOk(p, cd[1]).handles()[0];
    assertEquals(Signals.CHANNEL_WRITABLE, f.signals(p, a1), "a1's peer was never closed");

    f.close(p, a1);
    settle(f);
    assertFalse(f.alive(b1) || f.alive(b2));
    assertEquals(3, f.kernel().objects().size(), "the process, c and d");
  }

  @Test
  void aCycleReachableThroughAnotherQueueIsKept(KernelFixture f) {
    Process p = f.process();
    int[] ab = f.channel(p);
    int[] cd = f.channel(p);
    long a = f.koid(p, ab[0]);
    long b = f.koid(p, ab[1]);
    f.writeOk(p, ab[0], "b into its own queue", ab[1]);
    f.writeOk(p, cd[0], "a into d's queue", ab[0]);
    settle(f);

    assertEquals(0, f.kernel().cycles().collect());
    assertTrue(f.alive(a) && f.alive(b));
    int aBack = f.readOk(p, cd[1]).handles()[0];
    assertEquals(0, f.signals(p, aBack) & Signals.CHANNEL_PEER_CLOSED, "a's peer was never closed");
    assertStatus(Status.ERR_SHOULD_WAIT, f.read(p, aBack).status(), "b's message is in b's queue, not a's");
    f.close(p, aBack);
    settle(f);
    assertFalse(f.alive(a) || f.alive(b));
  }

  @Test
  void aPeerHeldByALiveProcessNeverSeesPeerClosed(KernelFixture f) {
    Process p = f.process();
    int[] one = f.channel(p);
    int[] two = f.channel(p);
    f.writeOk(p, one[0], "b2 into b1's queue", two[1]);
    f.writeOk(p, two[0], "b1 into b2's queue", one[1]);
    f.close(p, two[0]);
    settle(f);

    assertEquals(0, f.kernel().cycles().collect());
    assertEquals(Signals.CHANNEL_WRITABLE, f.signals(p, one[0]), "a1's peer is alive, as in Zircon");
    f.writeOk(p, one[0], "still writable");

    f.close(p, one[0]);
    settle(f);
    assertEquals(1, f.kernel().objects().size(), "with a1 gone, the ring is unreachable");
  }

  @Test
  void anEventPairEndInACycleKeepsItWhileItsPeerIsHeld(KernelFixture f) {
    Process p = f.process();
    int[] ab = f.channel(p);
    int[] ev = f.eventPair(p);
    f.writeOk(p, ab[0], "e1 and b into b's queue", ev[0], ab[1]);
    f.close(p, ab[0]);
    settle(f);

    assertEquals(0, f.kernel().cycles().collect());
    assertEquals(0, f.signals(p, ev[1]) & Signals.EVENTPAIR_PEER_CLOSED, "e2 must not see e1 die");
    f.close(p, ev[1]);
    assertTrue(f.kernel().cycles().collect() > 0);
    assertEquals(1, f.kernel().objects().size());
  }

  @Test
  void anObjectAlsoHeldByALiveProcessKeepsItsHandleCount(KernelFixture f) {
    Process p = f.process();
    int[] ab = f.channel(p);
    int event = f.event(p);
    int eventAgain = f.duplicate(p, event, Rights.SAME_RIGHTS);
    KernelObject e = f.object(p, event);
    f.writeOk(p, ab[0], "event and b into b's queue", event, ab[1]);
    f.close(p, ab[0]);
    settle(f);

    assertEquals(0, f.kernel().cycles().collect());
    assertEquals(2, e.handleCount(), "ZX_INFO_HANDLE_COUNT would tell: the cycle keeps its handle");
    f.close(p, eventAgain);
    assertTrue(f.kernel().cycles().collect() > 0);
    assertEquals(1, f.kernel().objects().size());
  }

  @Test
  void aPendingWaitKeepsItsObject(KernelFixture f) {
    Process p = f.process();
    int port = f.kernel().port().create(p, 0).out();
    int[] ab = f.channel(p);
    long b = f.koid(p, ab[1]);
    assertStatus(Status.OK, f.kernel().port().waitAsync(p, ab[1], port, 7, Signals.USER_0, 0));
    f.writeOk(p, ab[0], "b into its own queue", ab[1]);
    f.close(p, ab[0]);
    settle(f);

    assertEquals(0, f.kernel().cycles().collect(), "the async wait still watches b");
    assertTrue(f.alive(b));
    f.close(p, port);
    assertTrue(f.kernel().cycles().collect() > 0);
    assertFalse(f.alive(b));
  }

  @Test
  void anAsyncWaitAimedAtAPortInsideTheCycleDoesNotKeepIt(KernelFixture f) {
    Process p = f.process();
    int port = f.kernel().port().create(p, 0).out();
    int[] ab = f.channel(p);
    assertStatus(Status.OK, f.kernel().port().waitAsync(p, ab[1], port, 7, Signals.USER_0, 0));
    f.writeOk(p, ab[0], "b and the port into b's queue", ab[1], port);
    f.close(p, ab[0]);
    settle(f);
    assertEquals(1, f.kernel().objects().size(), "nobody can ever read the port: the wait does not matter");
  }

  @Test
  void deathOfTheLastHolderFreesTheCycleAutomatically(KernelFixture f) {
    Process p = f.process();
    int[] one = f.channel(p);
    int[] two = f.channel(p);
    f.writeOk(p, one[0], "b2", two[1]);
    f.writeOk(p, two[0], "b1", one[1]);
    long passesBefore = f.kernel().cycles().passes();
    p.kill(Process.RETCODE_KILLED);
    settle(f);
    assertEquals(0, f.kernel().objects().size());
    assertTrue(f.kernel().cycles().passes() > passesBefore);
  }

  /**
   * An endpoint whose only peer is queued on itself is shuttled between two reachable channels while passes run
   * back to back: it is sometimes in a table, sometimes queued, sometimes in the middle of a read or a write. No
   * pass may free it or its peer.
   */
  @Test
  void anEndpointInTransitIsNeverCollected(KernelFixture f) throws Exception {
    Process p = f.process();
    int[] x = f.channel(p);
    int[] y = f.channel(p);
    int[] t = f.channel(p);
    long ta = f.koid(p, t[0]);
    long tb = f.koid(p, t[1]);
    f.writeOk(p, t[0], "tb into its own queue", t[1]);

    AtomicBoolean done = new AtomicBoolean();
    CompletableFuture<Integer> collector = CompletableFuture.supplyAsync(() -> {
      int freed = 0;
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!done.get() && System.nanoTime() < until) {
        freed += f.kernel().cycles().collect();
      }
      return freed;
    });
    int moving = t[0];
    List<String> failures = new ArrayList<>();
    try {
      for (int i = 0; i < 20_000 && failures.isEmpty(); i++) {
        int[] via = (i & 1) == 0 ? x : y;
        int st = f.write(p, via[0], "ta", moving);
        if (st != Status.OK) {
          failures.add("write " + i + ": " + Status.name(st));
          break;
        }
        ChannelSyscalls.ReadResult r = f.read(p, via[1]);
        if (r.status() != Status.OK || r.handles().length != 1) {
          failures.add("read " + i + ": " + Status.name(r.status()));
          break;
        }
        moving = r.handles()[0];
      }
    } finally {
      done.set(true);
    }
    assertEquals(0, collector.get(30, TimeUnit.SECONDS), "nothing here was ever garbage");
    assertEquals(List.of(), failures);
    assertTrue(f.alive(ta) && f.alive(tb));
    assertEquals(Signals.CHANNEL_WRITABLE, f.signals(p, moving), "ta's peer is alive");
    assertEquals(1, ((Channel) f.kernel().objects().get(tb)).queuedMessages());
  }
}
