package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static dev.zxd.kernel.KernelFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.protobuf.ByteString;
import dev.zxd.kernel.ChannelSyscalls.ReadResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Queued data (channel messages, socket bytes and control messages, FIFO buffers) is charged to the same memory
 * budget as VMO pages: reserved before it is queued (NO_MEMORY when it does not fit, changing nothing) and
 * released exactly when it leaves, so the budget is back at 0 once everything is closed.
 */
@ExtendWith(KernelExtension.class)
@KernelExtension.WithConfig("smallBudget")
class QueuedMemoryBudgetTest {
  private static final int BIG = Limits.CHANNEL_MAX_MSG_BYTES;
  private static final long BIG_CHARGE = BIG + MessagePacket.OVERHEAD_BYTES;
  /** Room for three of the largest messages, and a little. */
  private static final long BUDGET = 3 * BIG_CHARGE + 1000;

  static KernelConfig smallBudget() {
    return KernelConfig.DEFAULTS.withMemoryBudgetBytes(BUDGET);
  }

  private static ByteString zeros(int n) {
    return ByteString.copyFrom(new byte[n]);
  }

  private static long used(KernelFixture f) {
    return f.kernel().memory().used();
  }

  @Test
  void aQueuedMessageIsChargedItsPayloadAnOverheadAndItsHandlesUntilItIsRead(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    int a = f.event(p);
    int b = f.event(p);
    f.writeOk(p, ch[0], "hello", a, b);
    assertEquals(5 + MessagePacket.OVERHEAD_BYTES + 2 * MessagePacket.HANDLE_OVERHEAD_BYTES, used(f));
    f.readOk(p, ch[1]);
    assertEquals(0, used(f));
  }

  @Test
  void aChannelWriteBeyondTheBudgetIsNoMemoryConsumesItsHandlesAndLosesNothingQueued(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    for (int i = 0; i < 3; i++) {
      assertStatus(Status.OK, f.write(p, ch[0], zeros(BIG)));
    }
    assertEquals(3 * BIG_CHARGE, used(f));
    int ev = f.event(p);
    long evKoid = f.koid(p, ev);
    assertStatus(Status.ERR_NO_MEMORY, f.write(p, ch[0], zeros(BIG), ev));
    f.assertGone(p, ev);
    assertFalse(f.alive(evKoid), "the failed write's handles are closed, as on every channel_write failure");
    assertEquals(3 * BIG_CHARGE, used(f), "the failed write charged nothing");
    assertEquals(3, ((Channel) f.object(p, ch[1])).queuedMessages());

    assertEquals(BIG, f.readOk(p, ch[1]).bytes().size());
    assertEquals(2 * BIG_CHARGE, used(f));
    assertStatus(Status.OK, f.write(p, ch[0], zeros(BIG)), "with room freed the same write succeeds");
    for (int i = 0; i < 3; i++) {
      assertEquals(BIG, f.readOk(p, ch[1]).bytes().size());
    }
    assertEquals(0, used(f));
  }

  @Test
  void vmoPagesAndQueuedMessagesShareOneBudget(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    for (int i = 0; i < 3; i++) {
      assertStatus(Status.OK, f.write(p, ch[0], zeros(BIG)));
    }
    int vmo = f.kernel().vmo().create(p, 4 * Vmo.PAGE_SIZE, 0).out();
    assertStatus(Status.ERR_NO_MEMORY, f.kernel().vmo().write(p, vmo, 0, zeros(Vmo.PAGE_SIZE)));
    f.readOk(p, ch[1]);
    assertStatus(Status.OK, f.kernel().vmo().write(p, vmo, 0, zeros(Vmo.PAGE_SIZE)));
    assertEquals(2 * BIG_CHARGE + Vmo.PAGE_SIZE, used(f));
  }

  @Test
  void aReadThatFailsKeepsTheChargeAndADiscardReleasesIt(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    f.writeOk(p, ch[0], "twelve bytes");
    long charged = used(f);
    assertStatus(Status.ERR_BUFFER_TOO_SMALL, f.kernel().channel().read(p, ch[1], 0, 1, 0).status());
    assertEquals(charged, used(f));
    assertStatus(Status.ERR_BUFFER_TOO_SMALL,
        f.kernel().channel().read(p, ch[1], ChannelSyscalls.READ_MAY_DISCARD, 1, 0).status());
    assertEquals(0, used(f), "the discarded message's charge went with it");
  }

  @Test
  void unreadMessagesNestedInsideEachOtherAreReleasedWhenTheirEndpointsDie(KernelFixture f) {
    Process p = f.process();
    int[] outer = f.channel(p);
    int[] inner = f.channel(p);
    f.writeOk(p, inner[0], "deep");
    f.writeOk(p, inner[0], "deeper");
    String carrier = "carrying an endpoint with two unread messages";
    f.writeOk(p, outer[0], carrier, inner[1]);
    long expected = "deep".length() + "deeper".length() + 2L * MessagePacket.OVERHEAD_BYTES
        + carrier.length() + MessagePacket.OVERHEAD_BYTES + MessagePacket.HANDLE_OVERHEAD_BYTES;
    assertEquals(expected, used(f));
    f.close(p, outer[1]);
    assertEquals(0, used(f), "destroying outer[1] destroyed its message, inner[1], and inner[1]'s queue");
    f.close(p, outer[0], inner[0]);
  }

  @Test
  void socketBytesAreChargedFromWriteToReadAndAWriteBeyondTheBudgetIsNoMemory(KernelFixture f) {
    Process p = f.process();
    HandlePairResult s = f.kernel().socket().create(p, Socket.STREAM);
    int[] ch = f.channel(p);
    for (int i = 0; i < 2; i++) {
      assertStatus(Status.OK, f.write(p, ch[0], zeros(BIG)));
    }
    SocketSyscalls.WriteResult w = f.kernel().socket().write(p, s.out0(), 0, zeros(BIG));
    assertStatus(Status.OK, w.status());
    assertEquals(BIG, w.actual());
    SocketSyscalls.WriteResult over = f.kernel().socket().write(p, s.out0(), 0, zeros(BIG));
    assertStatus(Status.ERR_NO_MEMORY, over.status());
    assertEquals(0, over.actual());
    assertEquals(BIG, ((Socket) f.object(p, s.out1())).queuedBytes(), "nothing of the failed write was queued");
    assertStatus(Status.OK, f.kernel().socket().read(p, s.out1(), SocketSyscalls.PEEK, 10).status());
    assertEquals(2 * BIG_CHARGE + BIG, used(f), "peeking consumes nothing");
    assertEquals(1000, f.kernel().socket().read(p, s.out1(), 0, 1000).actual());
    assertEquals(2 * BIG_CHARGE + BIG - 1000, used(f));
    assertStatus(Status.OK, f.kernel().socket().shutdown(p, s.out0(), SocketSyscalls.SHUTDOWN_WRITE));
    assertEquals(2 * BIG_CHARGE + BIG - 1000, used(f), "shutdown keeps the queued bytes readable");
    f.close(p, s.out1());
    assertEquals(2 * BIG_CHARGE, used(f), "the unread bytes died with their endpoint");
    f.close(p, s.out0());
  }

  @Test
  void datagramsAndControlMessagesAreChargedToo(KernelFixture f) {
    Process p = f.process();
    HandlePairResult s = f.kernel().socket().create(p, Socket.DATAGRAM | Socket.HAS_CONTROL);
    assertStatus(Status.OK, f.kernel().socket().write(p, s.out0(), 0, zeros(300)).status());
    assertStatus(Status.OK, f.kernel().socket().write(p, s.out0(), SocketSyscalls.CONTROL, zeros(20)).status());
    assertEquals(320, used(f));
    assertEquals(10, f.kernel().socket().read(p, s.out1(), 0, 10).actual());
    assertEquals(20, used(f), "a truncated datagram is consumed whole");
    assertStatus(Status.OK, f.kernel().socket().read(p, s.out1(), SocketSyscalls.CONTROL, 100).status());
    assertEquals(0, used(f));
  }

  @Test
  void aFifoChargesBothBuffersWhenMadeAndNoMemoryMakesNothing(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    for (int i = 0; i < 3; i++) {
      assertStatus(Status.OK, f.write(p, ch[0], zeros(BIG)));
    }
    int objects = f.kernel().objects().size();
    int handles = p.handleTableSize();
    HandlePairResult none = f.kernel().fifo().create(p, 64, 16, 0);
    assertStatus(Status.ERR_NO_MEMORY, none.status(), "2 x 1 KiB does not fit in the 1000 bytes left");
    assertEquals(objects, f.kernel().objects().size());
    assertEquals(handles, p.handleTableSize());
    f.readOk(p, ch[1]);
    HandlePairResult fifo = f.kernel().fifo().create(p, 64, 16, 0);
    assertStatus(Status.OK, fifo.status());
    assertEquals(2 * BIG_CHARGE + 2 * 64 * 16, used(f));
    f.close(p, fifo.out0());
    assertEquals(2 * BIG_CHARGE + 64 * 16, used(f), "each end releases its own buffer");
    f.close(p, fifo.out1());
  }

  @Test
  void theBudgetReturnsToZeroWhenAProcessDiesHoldingEverything(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    f.writeOk(p, ch[0], "unread");
    HandlePairResult s = f.kernel().socket().create(p, Socket.STREAM);
    f.kernel().socket().write(p, s.out0(), 0, bytes("unread too"));
    f.kernel().fifo().create(p, 4, 8, 0);
    int vmo = f.kernel().vmo().create(p, Vmo.PAGE_SIZE, 0).out();
    f.kernel().vmo().write(p, vmo, 0, bytes("page"));
    assertEquals(6 + MessagePacket.OVERHEAD_BYTES + 10 + 2 * 32 + Vmo.PAGE_SIZE, used(f));
    p.kill(Process.RETCODE_KILLED);
    assertEquals(0, used(f));
  }

  static KernelConfig smallBudgetThreeHandles() {
    return smallBudget().withMaxHandlesPerProcess(3);
  }

  @Test
  @KernelExtension.WithConfig("smallBudgetThreeHandles")
  void aReadWithNoRoomForItsHandlesKeepsTheCharge(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    f.writeOk(p, ch[0], "gift", f.event(p));
    long charged = used(f);
    int filler = f.event(p);
    assertStatus(Status.ERR_NO_RESOURCES, f.read(p, ch[1]).status());
    assertEquals(charged, used(f), "the message went back to the queue with its charge");
    f.close(p, filler);
    ReadResult r = f.readOk(p, ch[1]);
    assertEquals(bytes("gift"), r.bytes());
    assertEquals(0, used(f));
  }
}
