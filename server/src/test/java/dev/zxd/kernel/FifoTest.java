package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.protobuf.ByteString;
import dev.zxd.kernel.FifoSyscalls.ReadResult;
import dev.zxd.kernel.FifoSyscalls.WriteResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** zx_fifo_create / write / read and the FIFO's signals. */
@ExtendWith(KernelExtension.class)
class FifoTest {
  private static final int READABLE = Signals.FIFO_READABLE;
  private static final int WRITABLE = Signals.FIFO_WRITABLE;
  private static final int PEER_CLOSED = Signals.FIFO_PEER_CLOSED;

  private static int[] fifo(KernelFixture f, Process p, int count, int size) {
    HandlePairResult r = f.kernel().fifo().create(p, count, size, 0);
    assertStatus(Status.OK, r.status(), "fifo_create(" + count + ", " + size + ")");
    return new int[] {r.out0(), r.out1()};
  }

  /** {@code n} elements of {@code size} bytes; element i is filled with the byte {@code first + i}. */
  private static ByteString elems(int first, int n, int size) {
    byte[] b = new byte[n * size];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < size; j++) {
        b[i * size + j] = (byte) (first + i);
      }
    }
    return ByteString.copyFrom(b);
  }

  private static WriteResult write(KernelFixture f, Process p, int h, int size, ByteString data, int count) {
    return f.kernel().fifo().write(p, h, size, data, count);
  }

  private static int writeElems(KernelFixture f, Process p, int h, int size, int first, int n) {
    WriteResult r = write(f, p, h, size, elems(first, n, size), n);
    assertStatus(Status.OK, r.status(), "fifo_write");
    return r.actualCount();
  }

  private static ReadResult read(KernelFixture f, Process p, int h, int size, int count) {
    return f.kernel().fifo().read(p, h, size, count);
  }

  private static ReadResult readOk(KernelFixture f, Process p, int h, int size, int count) {
    ReadResult r = read(f, p, h, size, count);
    assertStatus(Status.OK, r.status(), "fifo_read");
    assertEquals(r.actualCount() * size, r.data().size());
    return r;
  }

  // ---- create ----

  @Test
  void createMakesTwoLinkedEndsWithDefaultRights(KernelFixture f) {
    Process p = f.process();
    int[] ff = fifo(f, p, 16, 8);
    assertEquals(0xF00F, Rights.DEFAULT_FIFO);
    for (int h : ff) {
      assertEquals(0xF00F, f.rights(p, h));
      assertEquals(ObjectType.FIFO, f.object(p, h).type());
      assertEquals(WRITABLE, f.signals(p, h), "a new end is writable only");
    }
    assertNotEquals(f.koid(p, ff[0]), f.koid(p, ff[1]));
    assertEquals(f.koid(p, ff[1]), f.object(p, ff[0]).relatedKoid());
    assertEquals(f.koid(p, ff[0]), f.object(p, ff[1]).relatedKoid());
    Fifo end = (Fifo) f.object(p, ff[0]);
    assertEquals(16, end.elemCount());
    assertEquals(8, end.elemSize());
  }

  @Test
  void createAcceptsAnyShapeUpTo4096Bytes(KernelFixture f) {
    Process p = f.process();
    int[][] ok = {{1, 1}, {4096, 1}, {1, 4096}, {64, 64}, {3, 5}, {7, 585}, {1365, 3}};
    for (int[] c : ok) {
      fifo(f, p, c[0], c[1]);
    }
  }

  @Test
  void createRejectsZeroAndOversizedShapes(KernelFixture f) {
    Process p = f.process();
    int objects = f.kernel().objects().size();
    int[][] bad = {{0, 1}, {1, 0}, {0, 0}, {4097, 1}, {1, 4097}, {65, 64}, {2, 2049}, {0x10000, 0x10000},
        {0x80000000, 1}, {-1, -1}, {1 << 16, 1 << 16}};
    for (int[] c : bad) {
      HandlePairResult r = f.kernel().fifo().create(p, c[0], c[1], 0);
      assertStatus(Status.ERR_OUT_OF_RANGE, r.status(), "fifo_create(" + c[0] + ", " + c[1] + ")");
      assertEquals(0, r.out0());
      assertEquals(0, r.out1());
    }
    assertEquals(objects, f.kernel().objects().size());
    assertEquals(0, p.handleTableSize());
  }

  @Test
  void createRejectsOptions(KernelFixture f) {
    Process p = f.process();
    for (int options : new int[] {1, 2, 0x80000000}) {
      assertStatus(Status.ERR_INVALID_ARGS, f.kernel().fifo().create(p, 4, 4, options).status());
    }
    assertEquals(0, p.handleTableSize());
  }

  // ---- write / read ----

  @Test
  void elementsArriveInOrderAtThePeer(KernelFixture f) {
    Process p = f.process();
    int[] ff = fifo(f, p, 8, 4);
    assertEquals(3, writeElems(f, p, ff[0], 4, 10, 3));
    assertEquals(2, writeElems(f, p, ff[0], 4, 13, 2));
    ReadResult r = readOk(f, p, ff[1], 4, 2);
    assertEquals(2, r.actualCount());
    assertEquals(elems(10, 2, 4), r.data());
    r = readOk(f, p, ff[1], 4, 100);
    assertEquals(3, r.actualCount(), "a read takes what is there");
    assertEquals(elems(12, 3, 4), r.data());
    assertStatus(Status.ERR_SHOULD_WAIT, read(f, p, ff[1], 4, 1).status());
    assertStatus(Status.ERR_SHOULD_WAIT, read(f, p, ff[0], 4, 1).status(), "nothing was written the other way");
  }

  @Test
  void eachDirectionHasItsOwnCapacity(KernelFixture f) {
    Process p = f.process();
    int[] ff = fifo(f, p, 4, 2);
    assertEquals(4, writeElems(f, p, ff[0], 2, 0, 4));
    assertEquals(4, writeElems(f, p, ff[1], 2, 100, 4));
    assertEquals(elems(0, 4, 2), readOk(f, p, ff[1], 2, 4).data());
    assertEquals(elems(100, 4, 2), readOk(f, p, ff[0], 2, 4).data());
  }

  @Test
  void writesArePartialWhenSpaceRunsOut(KernelFixture f) {
    Process p = f.process();
    int[] ff = fifo(f, p, 8, 3);
    assertEquals(5, writeElems(f, p, ff[0], 3, 0, 5));
    assertEquals(3, writeElems(f, p, ff[0], 3, 5, 5), "only 3 of 5 fit");
    WriteResult full = write(f, p, ff[0], 3, elems(10, 1, 3), 1);
    assertStatus(Status.ERR_SHOULD_WAIT, full.status());
    assertEquals(0, full.actualCount());
    ReadResult r = readOk(f, p, ff[1], 3, 8);
    assertEquals(8, r.actualCount());
    assertEquals(elems(0, 8, 3), r.data(), "the first 3 of the second write, nothing more");
    assertEquals(0, ((Fifo) f.object(p, ff[1])).queuedElements());
  }

  @Test
  void nonPowerOfTwoCapacityIsExact(KernelFixture f) {
    Process p = f.process();
    int[] ff = fifo(f, p, 5, 7);
    assertEquals(5, writeElems(f, p, ff[0], 7, 0, 6));
    assertStatus(Status.ERR_SHOULD_WAIT, write(f, p, ff[0], 7, elems(9, 1, 7), 1).status());
    assertEquals(2, readOk(f, p, ff[1], 7, 2).actualCount());
    assertEquals(2, writeElems(f, p, ff[0], 7, 20, 3));
    ReadResult r = readOk(f, p, ff[1], 7, 10);
    assertEquals(5, r.actualCount());
    assertEquals(elems(2, 3, 7).concat(elems(20, 2, 7)), r.data());
  }

  @Test
  void writeArgumentChecks(KernelFixture f) {
    Process p = f.process();
    int[] ff = fifo(f, p, 4, 4);
    assertStatus(Status.ERR_OUT_OF_RANGE, write(f, p, ff[0], 8, elems(0, 1, 8), 1).status(), "wrong elem_size");
    assertStatus(Status.ERR_OUT_OF_RANGE, write(f, p, ff[0], 2, elems(0, 2, 2), 1).status());
    assertStatus(Status.ERR_OUT_OF_RANGE, write(f, p, ff[0], 4, ByteString.EMPTY, 0).status(), "count 0");
    assertStatus(Status.ERR_OUT_OF_RANGE, write(f, p, ff[0], 4, elems(0, 1, 4), 0).status());
    assertStatus(Status.ERR_OUT_OF_RANGE, write(f, p, ff[0], 4, elems(0, 1, 4), -1).status());
    // The element size is checked before the length of the data.
    assertStatus(Status.ERR_OUT_OF_RANGE, write(f, p, ff[0], 3, elems(0, 1, 5), 1).status());
    assertStatus(Status.ERR_INVALID_ARGS, write(f, p, ff[0], 4, elems(0, 1, 4), 2).status(), "too little data");
    assertStatus(Status.ERR_INVALID_ARGS, write(f, p, ff[0], 4, elems(0, 3, 4), 2).status(), "too much data");
    assertStatus(Status.ERR_INVALID_ARGS, write(f, p, ff[0], 4, ByteString.copyFrom(new byte[5]), 1).status());
    assertStatus(Status.ERR_SHOULD_WAIT, read(f, p, ff[1], 4, 4).status(), "no failed write delivered anything");
    assertEquals(WRITABLE, f.signals(p, ff[1]));
  }

  @Test
  void invalidWriteOnAFullFifoIsStillInvalid(KernelFixture f) {
    Process p = f.process();
    int[] ff = fifo(f, p, 2, 4);
    assertEquals(2, writeElems(f, p, ff[0], 4, 0, 2));
    assertStatus(Status.ERR_OUT_OF_RANGE, write(f, p, ff[0], 5, elems(0, 1, 5), 1).status());
    assertStatus(Status.ERR_INVALID_ARGS, write(f, p, ff[0], 4, elems(0, 1, 4), 3).status());
    assertStatus(Status.ERR_SHOULD_WAIT, write(f, p, ff[0], 4, elems(0, 1, 4), 1).status());
  }

  @Test
  void readArgumentChecks(KernelFixture f) {
    Process p = f.process();
    int[] ff = fifo(f, p, 4, 4);
    writeElems(f, p, ff[0], 4, 1, 2);
    assertStatus(Status.ERR_OUT_OF_RANGE, read(f, p, ff[1], 8, 1).status(), "wrong elem_size");
    assertStatus(Status.ERR_OUT_OF_RANGE, read(f, p, ff[1], 0, 1).status());
    assertStatus(Status.ERR_OUT_OF_RANGE, read(f, p, ff[1], 4, 0).status(), "count 0");
    assertStatus(Status.ERR_OUT_OF_RANGE, read(f, p, ff[1], 4, -1).status());
    assertEquals(2, readOk(f, p, ff[1], 4, 4).actualCount(), "failed reads took nothing");
    // Wrong size on an empty FIFO is still OUT_OF_RANGE, not SHOULD_WAIT.
    assertStatus(Status.ERR_OUT_OF_RANGE, read(f, p, ff[1], 3, 1).status());
  }

  @Test
  void rightsAndTypesAreChecked(KernelFixture f) {
    Process p = f.process();
    int[] ff = fifo(f, p, 4, 4);
    int ro = f.duplicate(p, ff[0], Rights.READ);
    int wo = f.duplicate(p, ff[1], Rights.WRITE);
    assertStatus(Status.ERR_ACCESS_DENIED, write(f, p, ro, 4, elems(0, 1, 4), 1).status());
    assertStatus(Status.ERR_ACCESS_DENIED, read(f, p, wo, 4, 1).status());
    assertEquals(1, writeElems(f, p, wo, 4, 5, 1));
    assertEquals(elems(5, 1, 4), readOk(f, p, ro, 4, 1).data());
    int ev = f.event(p);
    assertStatus(Status.ERR_WRONG_TYPE, write(f, p, ev, 4, elems(0, 1, 4), 1).status());
    assertStatus(Status.ERR_WRONG_TYPE, read(f, p, ev, 4, 1).status());
    assertStatus(Status.ERR_BAD_HANDLE, write(f, p, 0, 4, elems(0, 1, 4), 1).status());
    assertStatus(Status.ERR_BAD_HANDLE, read(f, p, ff[0] ^ 0x20, 4, 1).status());
    // Rights before the argument checks.
    assertStatus(Status.ERR_ACCESS_DENIED, write(f, p, ro, 99, ByteString.EMPTY, 0).status());
  }

  // ---- peer closed ----

  @Test
  void writeAfterThePeerClosedIsPeerClosedBeforeAnyOtherCheck(KernelFixture f) {
    Process p = f.process();
    int[] ff = fifo(f, p, 4, 4);
    f.close(p, ff[1]);
    assertStatus(Status.ERR_PEER_CLOSED, write(f, p, ff[0], 4, elems(0, 1, 4), 1).status());
    assertStatus(Status.ERR_PEER_CLOSED, write(f, p, ff[0], 9, elems(0, 1, 4), 1).status(), "before elem_size");
    assertStatus(Status.ERR_PEER_CLOSED, write(f, p, ff[0], 4, ByteString.EMPTY, 0).status(), "before count");
    assertStatus(Status.ERR_PEER_CLOSED, write(f, p, ff[0], 4, elems(0, 1, 4), 5).status(), "before data");
  }

  @Test
  void readAfterThePeerClosedDrainsThenReportsPeerClosed(KernelFixture f) {
    Process p = f.process();
    int[] ff = fifo(f, p, 8, 2);
    writeElems(f, p, ff[0], 2, 1, 3);
    long peerKoid = f.koid(p, ff[0]);
    f.close(p, ff[0]);
    assertFalse(f.alive(peerKoid));
    assertEquals(READABLE | PEER_CLOSED, f.signals(p, ff[1]), "data still readable, WRITABLE gone");
    assertEquals(elems(1, 2, 2), readOk(f, p, ff[1], 2, 2).data());
    assertEquals(READABLE | PEER_CLOSED, f.signals(p, ff[1]));
    assertEquals(elems(3, 1, 2), readOk(f, p, ff[1], 2, 5).data());
    assertEquals(PEER_CLOSED, f.signals(p, ff[1]));
    assertStatus(Status.ERR_PEER_CLOSED, read(f, p, ff[1], 2, 1).status());
    assertStatus(Status.ERR_PEER_CLOSED, read(f, p, ff[1], 2, 1).status());
    assertEquals(peerKoid, f.object(p, ff[1]).relatedKoid(),
        "related koid survives the peer");
  }

  @Test
  void closingAnEndDropsWhatWasWrittenToIt(KernelFixture f) {
    Process p = f.process();
    int[] ff = fifo(f, p, 4, 4);
    writeElems(f, p, ff[0], 4, 0, 4);
    Fifo reader = (Fifo) f.object(p, ff[1]);
    f.close(p, ff[1]);
    assertEquals(0, reader.queuedElements());
    assertEquals(PEER_CLOSED, f.signals(p, ff[0]), "the writer sees PEER_CLOSED only");
  }

  // ---- signals ----

  @Test
  void readableAndWritableTrackTheQueues(KernelFixture f) {
    Process p = f.process();
    int[] ff = fifo(f, p, 3, 1);
    writeElems(f, p, ff[0], 1, 0, 1);
    assertEquals(WRITABLE | READABLE, f.signals(p, ff[1]));
    assertEquals(WRITABLE, f.signals(p, ff[0]), "the writer's own READABLE is about the other direction");
    writeElems(f, p, ff[0], 1, 1, 2);
    assertEquals(0, f.signals(p, ff[0]), "full: the writer is no longer WRITABLE");
    assertEquals(WRITABLE | READABLE, f.signals(p, ff[1]), "the reader can still write its own way");
    readOk(f, p, ff[1], 1, 1);
    assertEquals(WRITABLE, f.signals(p, ff[0]), "room again");
    assertEquals(WRITABLE | READABLE, f.signals(p, ff[1]));
    readOk(f, p, ff[1], 1, 2);
    assertEquals(WRITABLE, f.signals(p, ff[1]), "drained: not READABLE");
    assertEquals(WRITABLE, f.signals(p, ff[0]));
  }

  @Test
  void peerClosedClearsWritableAndSetsPeerClosed(KernelFixture f) {
    Process p = f.process();
    int[] ff = fifo(f, p, 2, 1);
    assertStatus(Status.OK, f.kernel().object().signal(p, ff[0], 0, Signals.USER_0));
    f.close(p, ff[1]);
    assertEquals(PEER_CLOSED | Signals.USER_0, f.signals(p, ff[0]), "user signals stay");
  }

  @Test
  void aBlockedWriterIsWokenWhenTheReaderMakesRoom(KernelFixture f) {
    Process p = f.process();
    int[] ff = fifo(f, p, 2, 4);
    writeElems(f, p, ff[0], 4, 0, 2);
    Outcome<ObjectSyscalls.WaitResult> writable = new Outcome<>();
    f.kernel().object().waitOne(p, ff[0], WRITABLE | PEER_CLOSED, MonotonicClock.INFINITE, writable);
    Outcome<ObjectSyscalls.WaitResult> readable = new Outcome<>();
    f.kernel().object().waitOne(p, ff[1], READABLE, MonotonicClock.INFINITE, readable);
    assertStatus(Status.OK, readable.now().status(), "already readable");
    assertFalse(writable.isDone());
    readOk(f, p, ff[1], 4, 1);
    ObjectSyscalls.WaitResult r = writable.now();
    assertStatus(Status.OK, r.status());
    assertEquals(WRITABLE, r.observed());
  }

  @Test
  void signalPeerReachesTheOtherEnd(KernelFixture f) {
    Process p = f.process();
    int[] ff = fifo(f, p, 2, 4);
    assertStatus(Status.OK, f.kernel().object().signalPeer(p, ff[0], 0, Signals.USER_0));
    assertEquals(WRITABLE | Signals.USER_0, f.signals(p, ff[1]));
    f.close(p, ff[1]);
    assertStatus(Status.ERR_PEER_CLOSED, f.kernel().object().signalPeer(p, ff[0], 0, Signals.USER_0));
  }

  @Test
  void producerAndConsumerThreadsKeepOrder(KernelFixture f) throws Exception {
    Process p = f.process();
    int[] ff = fifo(f, p, 16, 4);
    int total = 5000;
    Thread producer = new Thread(() -> {
      int next = 0;
      while (next < total) {
        int n = Math.min(7, total - next);
        byte[] b = new byte[n * 4];
        for (int i = 0; i < n; i++) {
          int v = next + i;
          b[i * 4] = (byte) (v >>> 24);
          b[i * 4 + 1] = (byte) (v >>> 16);
          b[i * 4 + 2] = (byte) (v >>> 8);
          b[i * 4 + 3] = (byte) v;
        }
        WriteResult r = write(f, p, ff[0], 4, ByteString.copyFrom(b), n);
        if (r.status() == Status.OK) {
          next += r.actualCount();
        } else if (r.status() == Status.ERR_SHOULD_WAIT) {
          f.waitOne(p, ff[0], WRITABLE, MonotonicClock.INFINITE);
        } else {
          throw new AssertionError(Status.name(r.status()));
        }
      }
    });
    producer.start();
    List<Integer> got = new ArrayList<>();
    while (got.size() < total) {
      ReadResult r = read(f, p, ff[1], 4, 5);
      if (r.status() == Status.ERR_SHOULD_WAIT) {
        assertStatus(Status.OK, f.waitOne(p, ff[1], READABLE, MonotonicClock.INFINITE).status());
        continue;
      }
      assertStatus(Status.OK, r.status());
      byte[] b = r.data().toByteArray();
      for (int i = 0; i < r.actualCount(); i++) {
        got.add(((b[i * 4] & 0xFF) << 24) | ((b[i * 4 + 1] & 0xFF) << 16) | ((b[i * 4 + 2] & 0xFF) << 8)
            | (b[i * 4 + 3] & 0xFF));
      }
    }
    producer.join(5000);
    assertFalse(producer.isAlive());
    for (int i = 0; i < total; i++) {
      assertEquals(i, got.get(i));
    }
  }
}
