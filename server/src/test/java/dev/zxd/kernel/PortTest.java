package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** zx_port_create, zx_port_queue and zx_port_wait (user packets; async waits are in WaitAsyncTest). */
@ExtendWith(KernelExtension.class)
class PortTest {

  static int port(KernelFixture f, Process p) {
    HandleResult r = f.kernel().port().create(p, 0);
    assertStatus(Status.OK, r.status(), "port_create");
    return r.out();
  }

  static Outcome<PortWait.Result> portWait(KernelFixture f, Process p, int port, long deadline) {
    Outcome<PortWait.Result> out = new Outcome<>();
    f.kernel().port().wait(p, port, deadline, out);
    return out;
  }

  /** port_wait with a past deadline: the oldest packet, or TIMED_OUT; always synchronous. */
  static PortWait.Result poll(KernelFixture f, Process p, int port) {
    return portWait(f, p, port, f.past()).now();
  }

  static PortPacket pollOk(KernelFixture f, Process p, int port) {
    PortWait.Result r = poll(f, p, port);
    assertStatus(Status.OK, r.status(), "port_wait(past)");
    assertNotNull(r.packet());
    return r.packet();
  }

  static void assertEmpty(KernelFixture f, Process p, int port) {
    PortWait.Result r = poll(f, p, port);
    assertStatus(Status.ERR_TIMED_OUT, r.status(), "port_wait on an empty port");
    assertNull(r.packet());
  }

  static int queue(KernelFixture f, Process p, int port, long key) {
    return f.kernel().port().queue(p, port, key, 0, new long[] {key, 0, 0, 0});
  }

  // ---- create ----

  @Test
  void createAcceptsZeroAndBindToInterruptOnly(KernelFixture f) {
    Process p = f.process();
    for (int options : new int[] {0, PortSyscalls.BIND_TO_INTERRUPT}) {
      HandleResult r = f.kernel().port().create(p, options);
      assertStatus(Status.OK, r.status(), "options " + options);
      assertEquals(ObjectType.PORT, f.object(p, r.out()).type());
    }
    int before = f.kernel().objects().size();
    for (int options : new int[] {2, 3, 0x80000000, -1}) {
      HandleResult r = f.kernel().port().create(p, options);
      assertStatus(Status.ERR_INVALID_ARGS, r.status(), "options " + KernelFixture.hex(options));
      assertEquals(0, r.out());
    }
    assertEquals(before, f.kernel().objects().size(), "failed creates make no object");
    assertEquals(2, p.handleTableSize());
  }

  @Test
  void newPortHasDefaultRightsAndCannotBeWaitedOn(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    assertEquals(0x800F, Rights.DEFAULT_PORT);
    assertEquals(0x800F, f.rights(p, port));
    assertEquals(0, f.rights(p, port) & Rights.WAIT, "ports lack WAIT");
    // Ports lack WAIT, so waiting on one is ACCESS_DENIED (not the NOT_SUPPORTED the 2018 docs mention).
    assertStatus(Status.ERR_ACCESS_DENIED, f.waitOne(p, port, Signals.READABLE, f.past()).status());
    assertEquals(0, f.object(p, port).relatedKoid());
  }

  // ---- queue ----

  @Test
  void userPacketKeepsKeyStatusAndPayloadAndIsTypeUser(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    long[] payload = {0x0123456789ABCDEFL, -1L, Long.MIN_VALUE, 42};
    assertStatus(Status.OK, f.kernel().port().queue(p, port, 0xFEEDFACECAFEBEEFL, -12345, payload));
    payload[0] = 7; // the kernel copied it
    PortPacket pk = pollOk(f, p, port);
    assertEquals(0xFEEDFACECAFEBEEFL, pk.key);
    assertEquals(PortPacket.TYPE_USER, pk.type);
    assertEquals(0, pk.type);
    assertEquals(-12345, pk.status);
    assertArrayEquals(new long[] {0x0123456789ABCDEFL, -1L, Long.MIN_VALUE, 42}, pk.user);
    assertEquals(0, pk.trigger);
    assertEquals(0, pk.observed);
    assertEquals(0, pk.count);
    assertEquals(0, pk.timestamp);
  }

  @Test
  void typeIsForcedToUserWhateverTheCallerAskedFor(KernelFixture f) {
    // The syscall's packet carries no type at all; the factory every caller goes through fixes it.
    PortPacket pk = PortPacket.user(1, 0, new long[] {1, 2, 3, 4});
    assertEquals(PortPacket.TYPE_USER, pk.type);
    Process p = f.process();
    int port = port(f, p);
    assertStatus(Status.OK, f.kernel().port().queue(p, port, 9, Status.ERR_CANCELED, new long[] {}));
    assertEquals(PortPacket.TYPE_USER, pollOk(f, p, port).type);
  }

  @Test
  void shortPayloadIsPaddedWithZerosAndLongOneIsInvalid(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    assertStatus(Status.OK, f.kernel().port().queue(p, port, 1, 0, new long[] {5}));
    assertArrayEquals(new long[] {5, 0, 0, 0}, pollOk(f, p, port).user);
    assertStatus(Status.OK, f.kernel().port().queue(p, port, 1, 0, new long[0]));
    assertArrayEquals(new long[4], pollOk(f, p, port).user);
    assertStatus(Status.ERR_INVALID_ARGS, f.kernel().port().queue(p, port, 1, 0, new long[5]));
    assertEmpty(f, p, port);
  }

  @Test
  void queueChecksHandleTypeThenWriteRight(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int ev = f.event(p);
    assertStatus(Status.ERR_BAD_HANDLE, queue(f, p, port ^ 0x10, 1));
    assertStatus(Status.ERR_BAD_HANDLE, queue(f, p, 0, 1));
    assertStatus(Status.ERR_WRONG_TYPE, queue(f, p, ev, 1));
    int readOnly = f.duplicate(p, port, Rights.READ | Rights.TRANSFER);
    assertStatus(Status.ERR_ACCESS_DENIED, queue(f, p, readOnly, 1));
    // An event without WRITE: the type is reported before the rights (current Zircon's order).
    int evNoRights = f.duplicate(p, ev, 0);
    assertStatus(Status.ERR_WRONG_TYPE, queue(f, p, evNoRights, 1));
    assertEmpty(f, p, port);
    int writeOnly = f.duplicate(p, port, Rights.WRITE);
    assertStatus(Status.OK, queue(f, p, writeOnly, 3));
    assertEquals(3, pollOk(f, p, port).key);
  }

  @Test
  void portFromAnotherProcessIsBadHandle(KernelFixture f) {
    Process a = f.process();
    Process b = f.process();
    int port = port(f, a);
    assertStatus(Status.ERR_BAD_HANDLE, queue(f, b, port, 1));
    assertStatus(Status.ERR_BAD_HANDLE, portWait(f, b, port, f.past()).now().status());
  }

  @Test
  void limitIs2049PendingPacketsThenShouldWait(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    for (int i = 0; i < 2049; i++) {
      assertStatus(Status.OK, queue(f, p, port, i), "packet " + (i + 1));
    }
    Port object = (Port) f.object(p, port);
    assertEquals(2049, object.queuedPackets());
    assertStatus(Status.ERR_SHOULD_WAIT, queue(f, p, port, 2049), "the 2050th");
    assertStatus(Status.ERR_SHOULD_WAIT, queue(f, p, port, 2050), "still full");
    assertEquals(2049, object.queuedPackets());
    // Reading one makes room for one more, and FIFO order is kept across the whole queue.
    assertEquals(0, pollOk(f, p, port).key);
    assertStatus(Status.OK, queue(f, p, port, 5000));
    assertStatus(Status.ERR_SHOULD_WAIT, queue(f, p, port, 5001));
    for (int i = 1; i < 2049; i++) {
      assertEquals(i, pollOk(f, p, port).key);
    }
    assertEquals(5000, pollOk(f, p, port).key);
    assertEmpty(f, p, port);
  }

  // ---- wait ----

  @Test
  void packetsComeOutInFifoOrder(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    long[] keys = {9, 3, 7, 3, 1, 100};
    for (long k : keys) {
      assertStatus(Status.OK, queue(f, p, port, k));
    }
    for (long k : keys) {
      PortPacket pk = pollOk(f, p, port);
      assertEquals(k, pk.key);
      assertEquals(k, pk.user[0]);
    }
    assertEmpty(f, p, port);
  }

  @Test
  void waitNeedsReadRightAndAPort(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    assertStatus(Status.OK, queue(f, p, port, 1));
    int writeOnly = f.duplicate(p, port, Rights.WRITE);
    assertStatus(Status.ERR_ACCESS_DENIED, portWait(f, p, writeOnly, f.past()).now().status());
    int ev = f.event(p);
    assertStatus(Status.ERR_WRONG_TYPE, portWait(f, p, ev, f.past()).now().status());
    assertStatus(Status.ERR_BAD_HANDLE, portWait(f, p, 0, f.past()).now().status());
    int readOnly = f.duplicate(p, port, Rights.READ);
    assertEquals(1, portWait(f, p, readOnly, f.past()).now().packet().key, "the packet was not consumed");
  }

  @Test
  void pastDeadlinePollsAndTimesOutAtOnce(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    for (long deadline : new long[] {f.past(), 0, Long.MIN_VALUE}) {
      Outcome<PortWait.Result> out = portWait(f, p, port, deadline);
      assertTrue(out.isDone(), "a past deadline polls");
      assertStatus(Status.ERR_TIMED_OUT, out.get().status());
    }
    assertEquals(0, ((Port) f.object(p, port)).pendingWaiters());
  }

  @Test
  void futureDeadlineTimesOutNoEarlierThanTheDeadline(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    long deadline = f.after(Duration.ofMillis(30));
    long[] completedAt = new long[1];
    Outcome<PortWait.Result> out = new Outcome<>();
    f.kernel().port().wait(p, port, deadline, r -> {
      completedAt[0] = f.kernel().clock().now();
      out.accept(r);
    });
    assertStatus(Status.ERR_TIMED_OUT, out.get().status());
    assertTrue(completedAt[0] >= deadline, "timed out " + (deadline - completedAt[0]) + " ns early");
    assertEquals(0, ((Port) f.object(p, port)).pendingWaiters());
  }

  @Test
  void aPendingWaiterGetsTheNextPacket(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    Outcome<PortWait.Result> out = portWait(f, p, port, MonotonicClock.INFINITE);
    assertFalse(out.isDone());
    assertEquals(1, ((Port) f.object(p, port)).pendingWaiters());
    assertStatus(Status.OK, queue(f, p, port, 77));
    PortWait.Result r = out.now();
    assertStatus(Status.OK, r.status());
    assertEquals(77, r.packet().key);
    assertEquals(0, ((Port) f.object(p, port)).queuedPackets(), "handed over, not queued");
    assertEmpty(f, p, port);
  }

  @Test
  void waitersAreServedInFifoOrderOnePacketEach(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    List<Outcome<PortWait.Result>> waiters = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      waiters.add(portWait(f, p, port, MonotonicClock.INFINITE));
    }
    assertStatus(Status.OK, queue(f, p, port, 100));
    assertTrue(waiters.get(0).isDone());
    for (int i = 1; i < 5; i++) {
      assertFalse(waiters.get(i).isDone(), "one packet releases one waiter");
    }
    for (int i = 1; i < 5; i++) {
      assertStatus(Status.OK, queue(f, p, port, 100 + i));
    }
    for (int i = 0; i < 5; i++) {
      assertEquals(100 + i, waiters.get(i).now().packet().key, "waiter " + i);
    }
    assertEmpty(f, p, port);
  }

  @Test
  void abandonedWaitGetsNothingAndThePacketStaysQueued(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    Outcome<PortWait.Result> first = new Outcome<>();
    Runnable abandon = f.kernel().port().wait(p, port, MonotonicClock.INFINITE, first);
    Outcome<PortWait.Result> second = portWait(f, p, port, MonotonicClock.INFINITE);
    abandon.run();
    assertEquals(1, ((Port) f.object(p, port)).pendingWaiters());
    assertStatus(Status.OK, queue(f, p, port, 1));
    assertEquals(1, second.now().packet().key, "the abandoned waiter is skipped");
    assertStatus(Status.OK, queue(f, p, port, 2));
    assertFalse(first.isDone());
    assertEquals(0, first.calls());
    assertEquals(2, pollOk(f, p, port).key);
  }

  @Test
  void closingThePortCancelsItsWaiters(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    Outcome<PortWait.Result> a = portWait(f, p, port, MonotonicClock.INFINITE);
    Outcome<PortWait.Result> b = portWait(f, p, port, f.after(Duration.ofHours(1)));
    long koid = f.koid(p, port);
    f.close(p, port);
    assertStatus(Status.ERR_CANCELED, a.get().status());
    assertStatus(Status.ERR_CANCELED, b.get().status());
    assertNull(a.get().packet());
    assertFalse(f.alive(koid));
  }

  @Test
  void closingOneOfTwoPortHandlesKeepsWaitersAndPackets(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int dup = f.duplicate(p, port, Rights.SAME_RIGHTS);
    assertStatus(Status.OK, queue(f, p, port, 1));
    Outcome<PortWait.Result> w = portWait(f, p, dup, MonotonicClock.INFINITE);
    assertEquals(1, w.now().packet().key);
    Outcome<PortWait.Result> w2 = portWait(f, p, dup, MonotonicClock.INFINITE);
    f.close(p, port);
    assertFalse(w2.isDone(), "the port is still open through the duplicate");
    assertStatus(Status.OK, queue(f, p, dup, 2));
    assertEquals(2, w2.now().packet().key);
  }

  @Test
  void processDeathCancelsItsPortWait(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    assertStatus(Status.OK, queue(f, p, port, 1));
    Outcome<PortWait.Result> w = portWait(f, p, port, MonotonicClock.INFINITE);
    assertEquals(1, w.now().packet().key);
    Outcome<PortWait.Result> w2 = portWait(f, p, port, MonotonicClock.INFINITE);
    long koid = f.koid(p, port);
    p.kill(Process.RETCODE_KILLED);
    assertStatus(Status.ERR_CANCELED, w2.get().status());
    assertFalse(f.alive(koid));
  }

  @Test
  void queuedPacketsAreFreedWithThePort(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    Port object = (Port) f.object(p, port);
    for (int i = 0; i < 10; i++) {
      assertStatus(Status.OK, queue(f, p, port, i));
    }
    f.close(p, port);
    assertEquals(0, object.queuedPackets());
    assertStatus(Status.ERR_BAD_STATE, object.queue(PortPacket.user(1, 0, new long[4]), new Wakeups()),
        "a closed port takes no packet");
  }

  @Test
  void concurrentProducersAndConsumersLoseNothing(KernelFixture f) throws Exception {
    Process p = f.process();
    int port = port(f, p);
    int producers = 4;
    int perProducer = 500;
    List<Outcome<PortWait.Result>> waits = new ArrayList<>();
    for (int i = 0; i < producers * perProducer / 2; i++) {
      waits.add(portWait(f, p, port, MonotonicClock.INFINITE));
    }
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < producers; t++) {
      long base = (long) t << 32;
      threads.add(new Thread(() -> {
        for (int i = 0; i < perProducer; i++) {
          assertStatus(Status.OK, queue(f, p, port, base | i));
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join(5000);
      assertFalse(t.isAlive());
    }
    long[] next = new long[producers];
    // The first half went to the waiters in order; the rest are queued. Per producer, order is kept.
    List<Long> keys = new ArrayList<>();
    for (Outcome<PortWait.Result> w : waits) {
      keys.add(w.now().packet().key);
    }
    for (PortWait.Result r; (r = poll(f, p, port)).status() == Status.OK; ) {
      keys.add(r.packet().key);
    }
    assertEquals(producers * perProducer, keys.size());
    for (long k : keys) {
      int t = (int) (k >>> 32);
      assertEquals(next[t]++, k & 0xFFFFFFFFL, "producer " + t + " out of order");
    }
  }
}
