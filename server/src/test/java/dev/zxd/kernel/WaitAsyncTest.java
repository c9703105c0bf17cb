package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static dev.zxd.kernel.PortTest.assertEmpty;
import static dev.zxd.kernel.PortTest.pollOk;
import static dev.zxd.kernel.PortTest.port;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** zx_object_wait_async: registration checks, the packet it queues, ONCE / EDGE / TIMESTAMP, and its end. */
@ExtendWith(KernelExtension.class)
class WaitAsyncTest {
  private static final int USER_0 = Signals.USER_0;
  private static final int USER_1 = Signals.USER_0 << 1;
  private static final int USER_2 = Signals.USER_0 << 2;
  private static final int TIMESTAMP = PortSyscalls.WAIT_ASYNC_TIMESTAMP;
  private static final int EDGE = PortSyscalls.WAIT_ASYNC_EDGE;

  private static int waitAsync(KernelFixture f, Process p, int h, int port, long key, int signals, int options) {
    return f.kernel().port().waitAsync(p, h, port, key, signals, options);
  }

  private static void waitAsyncOk(KernelFixture f, Process p, int h, int port, long key, int signals, int options) {
    assertStatus(Status.OK, waitAsync(f, p, h, port, key, signals, options), "wait_async");
  }

  private static void signal(KernelFixture f, Process p, int h, int clear, int set) {
    assertStatus(Status.OK, f.kernel().object().signal(p, h, clear, set), "object_signal");
  }

  private static int cancel(KernelFixture f, Process p, int port, int source, long key) {
    return f.kernel().port().cancel(p, port, source, key);
  }

  private static void assertSignalPacket(PortPacket pk, long key, int trigger, int observed, long count) {
    assertEquals(key, pk.key, "key");
    assertEquals(PortPacket.TYPE_SIGNAL_ONE, pk.type, "type");
    assertEquals(1, pk.type);
    assertStatus(Status.OK, pk.status, "packet status");
    assertEquals(trigger, pk.trigger, "trigger");
    assertEquals(observed, pk.observed, () -> "observed " + KernelFixture.hex(pk.observed));
    assertEquals(count, pk.count, "count");
    assertNull(pk.user);
  }

  // ---- the packet ----

  @Test
  void packetOnSignalCarriesKeyTriggerAndFullState(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int ev = f.event(p);
    signal(f, p, ev, 0, USER_1);
    waitAsyncOk(f, p, ev, port, 0xABCDEF0123L, Signals.EVENT_SIGNALED | USER_0, 0);
    assertEmpty(f, p, port);
    assertEquals(1, f.object(p, ev).observerCount());
    signal(f, p, ev, 0, Signals.EVENT_SIGNALED);
    PortPacket pk = pollOk(f, p, port);
    // observed is the whole state, not masked by the trigger.
    assertSignalPacket(pk, 0xABCDEF0123L, Signals.EVENT_SIGNALED | USER_0, Signals.EVENT_SIGNALED | USER_1, 1);
    assertEquals(0, pk.timestamp, "no TIMESTAMP option");
    assertEquals(0, f.object(p, ev).observerCount(), "a fired wait is over");
  }

  @Test
  void alreadySatisfiedSignalsQueueAPacketAtRegistration(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int[] ch = f.channel(p);
    waitAsyncOk(f, p, ch[0], port, 5, Signals.CHANNEL_WRITABLE, 0);
    assertSignalPacket(pollOk(f, p, port), 5, Signals.CHANNEL_WRITABLE, Signals.CHANNEL_WRITABLE, 1);
    assertEquals(0, f.object(p, ch[0]).observerCount(), "finished at registration: never linked");
    assertEmpty(f, p, port);
  }

  @Test
  void channelReadableAtRegistrationCountsTheQueuedMessages(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int[] ch = f.channel(p);
    for (int i = 0; i < 5; i++) {
      f.writeOk(p, ch[1], "m" + i);
    }
    waitAsyncOk(f, p, ch[0], port, 1, Signals.CHANNEL_READABLE, 0);
    int state = Signals.CHANNEL_READABLE | Signals.CHANNEL_WRITABLE;
    assertSignalPacket(pollOk(f, p, port), 1, Signals.CHANNEL_READABLE, state, 5);
    // A trigger without READABLE counts 1 even with messages queued.
    waitAsyncOk(f, p, ch[0], port, 2, Signals.CHANNEL_WRITABLE, 0);
    assertSignalPacket(pollOk(f, p, port), 2, Signals.CHANNEL_WRITABLE, state, 1);
    // READABLE among others still counts the messages.
    waitAsyncOk(f, p, ch[0], port, 3, Signals.CHANNEL_READABLE | Signals.CHANNEL_PEER_CLOSED, 0);
    assertSignalPacket(pollOk(f, p, port), 3, Signals.CHANNEL_READABLE | Signals.CHANNEL_PEER_CLOSED, state, 5);
    // The other end has nothing queued: count 1.
    waitAsyncOk(f, p, ch[1], port, 4, Signals.CHANNEL_READABLE | Signals.CHANNEL_WRITABLE, 0);
    assertSignalPacket(pollOk(f, p, port), 4, Signals.CHANNEL_READABLE | Signals.CHANNEL_WRITABLE,
        Signals.CHANNEL_WRITABLE, 1);
  }

  @Test
  void channelReadableAfterRegistrationCountsOne(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int[] ch = f.channel(p);
    waitAsyncOk(f, p, ch[0], port, 1, Signals.CHANNEL_READABLE, 0);
    assertEmpty(f, p, port);
    f.writeOk(p, ch[1], "a");
    f.writeOk(p, ch[1], "b");
    f.writeOk(p, ch[1], "c");
    assertSignalPacket(pollOk(f, p, port), 1, Signals.CHANNEL_READABLE,
        Signals.CHANNEL_READABLE | Signals.CHANNEL_WRITABLE, 1);
    assertEmpty(f, p, port);
  }

  @Test
  void peerClosedPacketReportsTheNewState(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int[] ch = f.channel(p);
    waitAsyncOk(f, p, ch[0], port, 8, Signals.CHANNEL_PEER_CLOSED, 0);
    f.close(p, ch[1]);
    assertSignalPacket(pollOk(f, p, port), 8, Signals.CHANNEL_PEER_CLOSED, Signals.CHANNEL_PEER_CLOSED, 1);
  }

  @Test
  void timestampOptionStampsTheFiringTime(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int ev = f.event(p);
    waitAsyncOk(f, p, ev, port, 1, USER_0, TIMESTAMP);
    long before = f.kernel().clock().now();
    signal(f, p, ev, 0, USER_0);
    long after = f.kernel().clock().now();
    PortPacket pk = pollOk(f, p, port);
    assertSignalPacket(pk, 1, USER_0, USER_0, 1);
    assertTrue(pk.timestamp >= before && pk.timestamp <= after,
        "timestamp " + pk.timestamp + " not in [" + before + ", " + after + "]");

    // Already satisfied at registration: stamped at registration.
    long before2 = f.kernel().clock().now();
    waitAsyncOk(f, p, ev, port, 2, USER_0, TIMESTAMP);
    long after2 = f.kernel().clock().now();
    PortPacket pk2 = pollOk(f, p, port);
    assertTrue(pk2.timestamp >= before2 && pk2.timestamp <= after2);
    assertTrue(pk2.timestamp >= pk.timestamp, "monotonic");
  }

  @Test
  void withoutTimestampTheFieldIsZero(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int ev = f.event(p);
    signal(f, p, ev, 0, USER_0);
    waitAsyncOk(f, p, ev, port, 1, USER_0, 0);
    waitAsyncOk(f, p, ev, port, 2, USER_1, EDGE);
    signal(f, p, ev, 0, USER_1);
    assertEquals(0, pollOk(f, p, port).timestamp);
    assertEquals(0, pollOk(f, p, port).timestamp);
  }

  // ---- ONCE and EDGE ----

  @Test
  void onceFiresOnlyOnce(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int ev = f.event(p);
    waitAsyncOk(f, p, ev, port, 1, USER_0, 0);
    signal(f, p, ev, 0, USER_0);
    signal(f, p, ev, USER_0, 0);
    signal(f, p, ev, 0, USER_0);
    signal(f, p, ev, USER_0, USER_1);
    signal(f, p, ev, 0, USER_0);
    assertSignalPacket(pollOk(f, p, port), 1, USER_0, USER_0, 1);
    assertEmpty(f, p, port);
    assertEquals(0, f.object(p, ev).observerCount());
  }

  @Test
  void edgeIgnoresSignalsAlreadyAsserted(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int ev = f.event(p);
    signal(f, p, ev, 0, USER_0);
    waitAsyncOk(f, p, ev, port, 1, USER_0, EDGE);
    assertEmpty(f, p, port);
    assertEquals(1, f.object(p, ev).observerCount(), "still waiting for an edge");
    // A change that leaves USER_0 asserted is no edge.
    signal(f, p, ev, 0, USER_2);
    assertEmpty(f, p, port);
    // Falling edge: nothing. Rising edge: the packet.
    signal(f, p, ev, USER_0, 0);
    assertEmpty(f, p, port);
    signal(f, p, ev, 0, USER_0);
    assertSignalPacket(pollOk(f, p, port), 1, USER_0, USER_0 | USER_2, 1);
    assertEquals(0, f.object(p, ev).observerCount());
    signal(f, p, ev, USER_0, 0);
    signal(f, p, ev, 0, USER_0);
    assertEmpty(f, p, port);
  }

  @Test
  void edgeFiresWhenAnotherTriggerBitRises(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int ev = f.event(p);
    signal(f, p, ev, 0, USER_0);
    waitAsyncOk(f, p, ev, port, 1, USER_0 | USER_1, EDGE);
    assertEmpty(f, p, port);
    signal(f, p, ev, 0, USER_1);
    assertSignalPacket(pollOk(f, p, port), 1, USER_0 | USER_1, USER_0 | USER_1, 1);
  }

  @Test
  void edgeOnAChannelWithQueuedMessagesWaitsForTheNextTransition(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int[] ch = f.channel(p);
    f.writeOk(p, ch[1], "queued");
    waitAsyncOk(f, p, ch[0], port, 1, Signals.CHANNEL_READABLE, EDGE);
    f.writeOk(p, ch[1], "more"); // READABLE stays asserted: no edge
    assertEmpty(f, p, port);
    f.readOk(p, ch[0]);
    f.readOk(p, ch[0]); // READABLE falls
    assertEmpty(f, p, port);
    f.writeOk(p, ch[1], "again"); // and rises
    assertSignalPacket(pollOk(f, p, port), 1, Signals.CHANNEL_READABLE,
        Signals.CHANNEL_READABLE | Signals.CHANNEL_WRITABLE, 1);
  }

  @Test
  void edgeWithTimestamp(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int ev = f.event(p);
    waitAsyncOk(f, p, ev, port, 1, USER_0, EDGE | TIMESTAMP);
    long before = f.kernel().clock().now();
    signal(f, p, ev, 0, USER_0);
    PortPacket pk = pollOk(f, p, port);
    assertTrue(pk.timestamp >= before && pk.timestamp > 0);
  }

  @Test
  void everyWaitOnAnObjectGetsItsOwnPacket(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int ev = f.event(p);
    for (int k = 0; k < 7; k++) {
      waitAsyncOk(f, p, ev, port, k, USER_0, 0);
    }
    waitAsyncOk(f, p, ev, port, 99, USER_1, 0);
    signal(f, p, ev, 0, USER_0);
    List<Long> keys = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      keys.add(pollOk(f, p, port).key);
    }
    Collections.sort(keys);
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L), keys);
    assertEmpty(f, p, port);
    assertEquals(1, f.object(p, ev).observerCount(), "the USER_1 wait is still there");
  }

  @Test
  void packetsFromManyObjectsArriveInTheOrderTheyFired(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int n = 20;
    int[] events = new int[n];
    for (int i = 0; i < n; i++) {
      events[i] = f.event(p);
      waitAsyncOk(f, p, events[i], port, i, Signals.EVENT_SIGNALED, 0);
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(42));
    for (int i : order) {
      signal(f, p, events[i], 0, Signals.EVENT_SIGNALED);
    }
    for (int i : order) {
      assertEquals((long) i, pollOk(f, p, port).key);
    }
    assertEmpty(f, p, port);
  }

  @Test
  void userAndSignalPacketsShareOneFifo(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int ev = f.event(p);
    waitAsyncOk(f, p, ev, port, 2, USER_0, 0);
    assertStatus(Status.OK, f.kernel().port().queue(p, port, 1, 0, new long[] {1}));
    signal(f, p, ev, 0, USER_0);
    assertStatus(Status.OK, f.kernel().port().queue(p, port, 3, 0, new long[] {3}));
    PortPacket a = pollOk(f, p, port);
    PortPacket b = pollOk(f, p, port);
    PortPacket c = pollOk(f, p, port);
    assertEquals(List.of(1L, 2L, 3L), List.of(a.key, b.key, c.key));
    assertEquals(List.of(0, 1, 0), List.of(a.type, b.type, c.type));
  }

  @Test
  void aPendingPortWaiterGetsTheSignalPacket(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int ev = f.event(p);
    Outcome<PortWait.Result> w = PortTest.portWait(f, p, port, MonotonicClock.INFINITE);
    waitAsyncOk(f, p, ev, port, 4, USER_0, 0);
    assertFalse(w.isDone());
    signal(f, p, ev, 0, USER_0);
    assertSignalPacket(w.now().packet(), 4, USER_0, USER_0, 1);
  }

  @Test
  void worksOnEveryWaitableType(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int[] pair = f.eventPair(p);
    waitAsyncOk(f, p, pair[0], port, 1, Signals.EVENTPAIR_PEER_CLOSED, 0);
    f.close(p, pair[1]);
    assertSignalPacket(pollOk(f, p, port), 1, Signals.EVENTPAIR_PEER_CLOSED, Signals.EVENTPAIR_PEER_CLOSED, 1);
    HandlePairResult fifo = f.kernel().fifo().create(p, 4, 4, 0);
    waitAsyncOk(f, p, fifo.out0(), port, 2, Signals.FIFO_READABLE, 0);
    assertEquals(Status.OK, f.kernel().fifo().write(p, fifo.out1(), 4, KernelFixture.bytes("abcd"), 1).status());
    assertSignalPacket(pollOk(f, p, port), 2, Signals.FIFO_READABLE, Signals.FIFO_READABLE | Signals.FIFO_WRITABLE,
        1);
    HandleResult vmo = f.kernel().vmo().create(p, 4096, 0);
    waitAsyncOk(f, p, vmo.out(), port, 3, Signals.VMO_ZERO_CHILDREN, 0);
    assertSignalPacket(pollOk(f, p, port), 3, Signals.VMO_ZERO_CHILDREN, Signals.VMO_ZERO_CHILDREN, 1);
    HandleResult timer = f.kernel().timer().create(p, 0, 0);
    waitAsyncOk(f, p, timer.out(), port, 4, Signals.TIMER_SIGNALED, 0);
    assertStatus(Status.OK, f.kernel().timer().set(p, timer.out(), f.past(), 0));
    assertSignalPacket(pollOk(f, p, port), 4, Signals.TIMER_SIGNALED, Signals.TIMER_SIGNALED, 1);
    ProcessSyscalls.CreateResult child = f.kernel().process().create(p, "child", 0);
    assertStatus(Status.OK, child.status());
    waitAsyncOk(f, p, child.procHandle(), port, 5, Signals.TASK_TERMINATED, 0);
    assertEmpty(f, p, port);
    child.process().kill(Process.RETCODE_KILLED);
    PortPacket pk = pollOk(f, p, port);
    assertEquals(5, pk.key);
    assertEquals(Signals.TASK_TERMINATED, pk.observed & Signals.TASK_TERMINATED);
  }

  // ---- registration checks ----

  @Test
  void portIsCheckedBeforeTheHandle(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int ev = f.event(p);
    int bad = ev ^ 0x40;
    // A bad port wins over a bad handle and bad options.
    assertStatus(Status.ERR_BAD_HANDLE, waitAsync(f, p, bad, 0, 1, USER_0, 0xFF));
    // Port of the wrong type, even if the handle is bad.
    assertStatus(Status.ERR_WRONG_TYPE, waitAsync(f, p, bad, ev, 1, USER_0, 0xFF));
    int evNoRights = f.duplicate(p, ev, 0);
    assertStatus(Status.ERR_WRONG_TYPE, waitAsync(f, p, ev, evNoRights, 1, USER_0, 0), "type before rights");
    // A port without WRITE, even if the handle is bad.
    int readOnlyPort = f.duplicate(p, port, Rights.READ);
    assertStatus(Status.ERR_ACCESS_DENIED, waitAsync(f, p, bad, readOnlyPort, 1, USER_0, 0));
    assertStatus(Status.ERR_ACCESS_DENIED, waitAsync(f, p, ev, readOnlyPort, 1, USER_0, 0));
    assertEquals(0, f.object(p, ev).observerCount());
  }

  @Test
  void handleIsCheckedBeforeTheOptions(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int ev = f.event(p);
    assertStatus(Status.ERR_BAD_HANDLE, waitAsync(f, p, ev ^ 0x40, port, 1, USER_0, 0xFF));
    assertStatus(Status.ERR_BAD_HANDLE, waitAsync(f, p, 0, port, 1, USER_0, 0));
    int noWait = f.duplicate(p, ev, Rights.DEFAULT_EVENT & ~Rights.WAIT);
    assertStatus(Status.ERR_ACCESS_DENIED, waitAsync(f, p, noWait, port, 1, USER_0, 0xFF));
    assertStatus(Status.ERR_ACCESS_DENIED, waitAsync(f, p, noWait, port, 1, USER_0, 0));
    // Ports lack WAIT: waiting on one is ACCESS_DENIED, not NOT_SUPPORTED.
    int other = port(f, p);
    assertStatus(Status.ERR_ACCESS_DENIED, waitAsync(f, p, other, port, 1, USER_0, 0));
    assertStatus(Status.ERR_ACCESS_DENIED, waitAsync(f, p, port, port, 1, USER_0, 0));
    assertEquals(0, f.object(p, ev).observerCount());
    assertEmpty(f, p, port);
  }

  @Test
  void onlyTimestampAndEdgeOptionsAreValid(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int ev = f.event(p);
    for (int options : new int[] {4, 8, 5, 7, 0x100, 0x80000000, -1}) {
      assertStatus(Status.ERR_INVALID_ARGS, waitAsync(f, p, ev, port, 1, USER_0, options),
          "options " + KernelFixture.hex(options));
    }
    assertEquals(0, f.object(p, ev).observerCount(), "no wait registered by a failed call");
    for (int options : new int[] {0, TIMESTAMP, EDGE, TIMESTAMP | EDGE}) {
      waitAsyncOk(f, p, ev, port, options, USER_0, options);
    }
    assertEquals(4, f.object(p, ev).observerCount());
    signal(f, p, ev, 0, USER_0);
    assertEquals(0, f.object(p, ev).observerCount());
    List<Long> keys = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      keys.add(pollOk(f, p, port).key);
    }
    Collections.sort(keys);
    assertEquals(List.of(0L, 1L, 2L, 3L), keys);
  }

  @Test
  void handleAndPortMustBelongToTheCaller(KernelFixture f) {
    Process a = f.process();
    Process b = f.process();
    int portA = port(f, a);
    int evB = f.event(b);
    int portB = port(f, b);
    assertStatus(Status.ERR_BAD_HANDLE, waitAsync(f, b, evB, portA, 1, USER_0, 0));
    assertStatus(Status.ERR_BAD_HANDLE, waitAsync(f, a, evB, portA, 1, USER_0, 0));
    waitAsyncOk(f, b, evB, portB, 1, USER_0, 0);
  }

  // ---- how a wait ends without firing ----

  @Test
  void closingTheWatchedHandleRemovesTheWaitSilently(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int ev = f.event(p);
    int dup = f.duplicate(p, ev, Rights.SAME_RIGHTS);
    waitAsyncOk(f, p, ev, port, 1, USER_0, 0);
    waitAsyncOk(f, p, dup, port, 2, USER_0, 0);
    assertEquals(2, f.object(p, dup).observerCount());
    f.close(p, ev);
    assertEquals(1, f.object(p, dup).observerCount(), "only the waits made through the closed handle go");
    assertEmpty(f, p, port);
    signal(f, p, dup, 0, USER_0);
    assertEquals(2, pollOk(f, p, port).key);
    assertEmpty(f, p, port);
  }

  @Test
  void packetsAlreadyQueuedSurviveClosingTheHandle(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int ev = f.event(p);
    long koid = f.koid(p, ev);
    waitAsyncOk(f, p, ev, port, 1, USER_0, 0);
    waitAsyncOk(f, p, ev, port, 2, USER_1, 0);
    signal(f, p, ev, 0, USER_0);
    f.close(p, ev);
    assertFalse(f.alive(koid));
    assertSignalPacket(pollOk(f, p, port), 1, USER_0, USER_0, 1);
    assertEmpty(f, p, port);
  }

  @Test
  void aFullPortDropsThePacketAndTheWait(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int ev = f.event(p);
    waitAsyncOk(f, p, ev, port, 7, USER_0, 0);
    for (int i = 0; i < 2049; i++) {
      assertStatus(Status.OK, PortTest.queue(f, p, port, 1000 + i));
    }
    signal(f, p, ev, 0, USER_0);
    assertEquals(0, f.object(p, ev).observerCount(), "the wait is over even though its packet was dropped");
    assertEquals(2049, ((Port) f.object(p, port)).queuedPackets());
    // Registration on a full port with the signal already asserted: dropped at once too.
    waitAsyncOk(f, p, ev, port, 8, USER_0, 0);
    assertEquals(0, f.object(p, ev).observerCount());
    for (int i = 0; i < 2049; i++) {
      PortPacket pk = pollOk(f, p, port);
      assertEquals(PortPacket.TYPE_USER, pk.type);
      assertEquals(1000 + i, pk.key);
    }
    // Room again: toggling the signal brings nothing, the waits are gone.
    signal(f, p, ev, USER_0, 0);
    signal(f, p, ev, 0, USER_0);
    assertEmpty(f, p, port);
    assertStatus(Status.ERR_NOT_FOUND, cancel(f, p, port, ev, 7));
  }

  @Test
  void aClosedPortDropsThePacketAndTheWait(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int ev = f.event(p);
    long portKoid = f.koid(p, port);
    waitAsyncOk(f, p, ev, port, 1, USER_0, 0);
    f.close(p, port);
    assertFalse(f.alive(portKoid));
    signal(f, p, ev, 0, USER_0);
    assertEquals(0, f.object(p, ev).observerCount());
  }

  @Test
  void zeroSignalsNeverFireUntilCanceled(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int ev = f.event(p);
    waitAsyncOk(f, p, ev, port, 1, 0, 0);
    signal(f, p, ev, 0, Signals.USER_ALL | Signals.EVENT_SIGNALED);
    assertEmpty(f, p, port);
    assertEquals(1, f.object(p, ev).observerCount());
    assertStatus(Status.OK, cancel(f, p, port, ev, 1));
    assertEquals(0, f.object(p, ev).observerCount());
  }

  // ---- zx_port_cancel ----

  @Test
  void cancelRemovesPendingWaitsOfHandleAndKey(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int ev = f.event(p);
    waitAsyncOk(f, p, ev, port, 1, USER_0, 0);
    waitAsyncOk(f, p, ev, port, 1, USER_1, 0);
    waitAsyncOk(f, p, ev, port, 2, USER_0, 0);
    assertStatus(Status.OK, cancel(f, p, port, ev, 1));
    assertEquals(1, f.object(p, ev).observerCount(), "both key-1 waits removed, the key-2 one kept");
    assertStatus(Status.ERR_NOT_FOUND, cancel(f, p, port, ev, 1), "nothing left for key 1");
    signal(f, p, ev, 0, USER_0 | USER_1);
    assertEquals(2, pollOk(f, p, port).key);
    assertEmpty(f, p, port);
  }

  @Test
  void cancelRemovesQueuedPacketsOfHandleAndKeyOnly(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int ev = f.event(p);
    signal(f, p, ev, 0, USER_0);
    assertStatus(Status.OK, f.kernel().port().queue(p, port, 1, 0, new long[] {1}));
    waitAsyncOk(f, p, ev, port, 1, USER_0, 0);
    waitAsyncOk(f, p, ev, port, 2, USER_0, 0);
    waitAsyncOk(f, p, ev, port, 1, USER_0, 0);
    assertEquals(4, ((Port) f.object(p, port)).queuedPackets());
    assertStatus(Status.OK, cancel(f, p, port, ev, 1));
    PortPacket user = pollOk(f, p, port);
    assertEquals(PortPacket.TYPE_USER, user.type, "user packets with the same key stay");
    assertEquals(1, user.key);
    PortPacket other = pollOk(f, p, port);
    assertEquals(PortPacket.TYPE_SIGNAL_ONE, other.type);
    assertEquals(2, other.key);
    assertEmpty(f, p, port);
  }

  @Test
  void cancelAfterThePacketWasReadIsNotFound(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int ev = f.event(p);
    waitAsyncOk(f, p, ev, port, 1, USER_0, 0);
    signal(f, p, ev, 0, USER_0);
    pollOk(f, p, port);
    assertStatus(Status.ERR_NOT_FOUND, cancel(f, p, port, ev, 1));
    assertStatus(Status.ERR_NOT_FOUND, cancel(f, p, port, ev, 12345), "never used key");
  }

  @Test
  void cancelMatchesByHandleNotObject(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int ev = f.event(p);
    int dup = f.duplicate(p, ev, Rights.SAME_RIGHTS);
    waitAsyncOk(f, p, ev, port, 1, USER_0, 0);
    assertStatus(Status.ERR_NOT_FOUND, cancel(f, p, port, dup, 1));
    assertEquals(1, f.object(p, ev).observerCount());
    int otherPort = port(f, p);
    assertStatus(Status.ERR_NOT_FOUND, cancel(f, p, otherPort, ev, 1), "a wait on another port");
    assertEquals(1, f.object(p, ev).observerCount());
    assertStatus(Status.OK, cancel(f, p, port, ev, 1));
    assertEquals(0, f.object(p, ev).observerCount());
  }

  @Test
  void cancelChecksPortThenSource(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int ev = f.event(p);
    waitAsyncOk(f, p, ev, port, 1, USER_0, 0);
    assertStatus(Status.ERR_BAD_HANDLE, cancel(f, p, 0, ev, 1));
    assertStatus(Status.ERR_WRONG_TYPE, cancel(f, p, ev, ev, 1));
    int readOnlyPort = f.duplicate(p, port, Rights.READ);
    assertStatus(Status.ERR_ACCESS_DENIED, cancel(f, p, readOnlyPort, 0, 1), "port before source");
    assertStatus(Status.ERR_BAD_HANDLE, cancel(f, p, port, 0, 1));
    int noWait = f.duplicate(p, ev, Rights.DEFAULT_EVENT & ~Rights.WAIT);
    assertStatus(Status.ERR_ACCESS_DENIED, cancel(f, p, port, noWait, 1));
    assertStatus(Status.ERR_ACCESS_DENIED, cancel(f, p, port, port, 1), "ports lack WAIT");
    assertEquals(1, f.object(p, ev).observerCount(), "failed cancels removed nothing");
  }

  @Test
  void closingThePortUnhooksItsAsyncWaitsFromTheWatchedObjects(KernelFixture f) {
    Process p = f.process();
    int port = port(f, p);
    int event = f.event(p);
    waitAsyncOk(f, p, event, port, 1, USER_0, 0);
    waitAsyncOk(f, p, event, port, 2, USER_1, EDGE);
    KernelObject watched = f.object(p, event);
    Port portObject = (Port) f.object(p, port);
    assertEquals(2, watched.observerCount());
    assertEquals(2, portObject.asyncWaits());
    f.close(p, port);
    assertEquals(0, watched.observerCount(), "no wait outlives the port it would report to");
    signal(f, p, event, 0, USER_0 | USER_1);
  }
}
