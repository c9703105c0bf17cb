package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static dev.zxd.kernel.KernelFixture.bytes;
import static dev.zxd.kernel.KernelFixture.duplicateOf;
import static dev.zxd.kernel.KernelFixture.move;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.zxd.kernel.ChannelSyscalls.CallResult;
import dev.zxd.kernel.ChannelSyscalls.ReadResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The daemon's per-endpoint queue limits: a write that would put more than max-channel-messages messages or
 * max-channel-bytes payload bytes in the peer's queue is SHOULD_WAIT. It consumes its handles as any failed
 * zx_channel_write does, queues nothing, and the same write succeeds once the reader has drained some.
 */
@ExtendWith(KernelExtension.class)
@KernelExtension.WithConfig("smallQueues")
class ChannelQueueLimitTest {
  private static final int MESSAGES = 3;
  private static final long BYTES = 100_000;

  static KernelConfig smallQueues() {
    return KernelConfig.DEFAULTS.withMaxChannelMessages(MESSAGES).withMaxChannelBytes(BYTES);
  }

  private static Channel endpoint(KernelFixture f, Process p, int h) {
    return (Channel) f.object(p, h);
  }

  @Test
  void aWritePastTheMessageLimitIsShouldWaitConsumesItsHandlesAndQueuesNothing(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    for (int i = 0; i < MESSAGES; i++) {
      f.writeOk(p, ch[0], "m" + i);
    }
    long charged = f.kernel().memory().used();
    int ev = f.event(p);
    long evKoid = f.koid(p, ev);
    assertStatus(Status.ERR_SHOULD_WAIT, f.write(p, ch[0], "one too many", ev));
    f.assertGone(p, ev);
    assertFalse(f.alive(evKoid), "zx_channel_write closes the handles of a failed write");
    assertEquals(MESSAGES, endpoint(f, p, ch[1]).queuedMessages(), "nothing was queued");
    assertEquals(charged, f.kernel().memory().used(), "nothing was charged");
    assertTrue((f.signals(p, ch[0]) & Signals.CHANNEL_WRITABLE) != 0,
        "Zircon channels have no 'full' signal: WRITABLE stays, the writer retries");

    assertEquals(bytes("m0"), f.readOk(p, ch[1]).bytes(), "the earlier messages are intact, in order");
    f.writeOk(p, ch[0], "one too many");
    assertEquals(bytes("m1"), f.readOk(p, ch[1]).bytes());
    assertEquals(bytes("m2"), f.readOk(p, ch[1]).bytes());
    assertEquals(bytes("one too many"), f.readOk(p, ch[1]).bytes());
    assertStatus(Status.ERR_SHOULD_WAIT, f.read(p, ch[1]).status());
  }

  @Test
  void aWritePastTheByteLimitIsShouldWaitAndTheLimitIsInclusive(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    ByteString big = ByteString.copyFrom(new byte[Limits.CHANNEL_MAX_MSG_BYTES]);
    int rest = (int) (BYTES - big.size());
    assertStatus(Status.OK, f.write(p, ch[0], big));
    assertStatus(Status.ERR_SHOULD_WAIT, f.write(p, ch[0], ByteString.copyFrom(new byte[rest + 1])));
    assertStatus(Status.OK, f.write(p, ch[0], ByteString.copyFrom(new byte[rest])), "exactly at the limit fits");
    assertEquals(BYTES, endpoint(f, p, ch[1]).queuedBytes());
    assertStatus(Status.OK, f.write(p, ch[0], ""), "an empty message adds no bytes: only the message limit counts it");
    assertEquals(big, f.readOk(p, ch[1]).bytes());
    assertStatus(Status.OK, f.write(p, ch[0], ByteString.copyFrom(new byte[rest + 1])));
    assertEquals(2 * rest + 1, endpoint(f, p, ch[1]).queuedBytes());
  }

  @Test
  void eachDirectionHasItsOwnQueue(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    for (int i = 0; i < MESSAGES; i++) {
      f.writeOk(p, ch[0], "to b");
    }
    assertStatus(Status.ERR_SHOULD_WAIT, f.write(p, ch[0], "to b"));
    f.writeOk(p, ch[1], "to a");
    assertEquals(bytes("to a"), f.readOk(p, ch[0]).bytes());
  }

  @Test
  void writeEtcPastTheLimitClosesMovedHandlesAndKeepsDuplicatedSources(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    for (int i = 0; i < MESSAGES; i++) {
      f.writeOk(p, ch[0], "m" + i);
    }
    int moved = f.event(p);
    int kept = f.event(p);
    long movedKoid = f.koid(p, moved);
    ChannelSyscalls.WriteEtcResult r = f.writeEtc(p, ch[0], "full", move(moved), duplicateOf(kept));
    assertStatus(Status.ERR_SHOULD_WAIT, r.status());
    f.assertGone(p, moved);
    assertFalse(f.alive(movedKoid));
    f.assertValid(p, kept);
    assertEquals(1, f.object(p, kept).handleCount(), "the duplicate made for the message is gone");
    assertEquals(MESSAGES, endpoint(f, p, ch[1]).queuedMessages());
    f.readOk(p, ch[1]);
    assertStatus(Status.OK, f.writeEtc(p, ch[0], "room", duplicateOf(kept)).status());
  }

  @Test
  void aCallIntoAFullQueueIsShouldWaitAndWaitsForNothing(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    for (int i = 0; i < MESSAGES; i++) {
      f.writeOk(p, ch[0], "m" + i);
    }
    int ev = f.event(p);
    Outcome<CallResult> out = new Outcome<>();
    f.kernel().channel().call(p, ch[0], 0, MonotonicClock.INFINITE, bytes("\0\0\0\0?"), new int[] {ev}, 100, 4,
        out);
    assertStatus(Status.ERR_SHOULD_WAIT, out.now().status());
    f.assertGone(p, ev);
    assertEquals(0, p.pendingWaits(), "no call is left registered");
    assertEquals(0, f.object(p, ch[0]).observerCount());
    assertEquals(MESSAGES, endpoint(f, p, ch[1]).queuedMessages());
  }

  @Test
  void aReplyToAPendingCallIsDeliveredEvenWhenTheCallersQueueIsFull(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    Outcome<CallResult> out = new Outcome<>();
    f.kernel().channel().call(p, ch[0], 0, MonotonicClock.INFINITE, bytes("\0\0\0\0ping"), new int[0], 100, 4,
        out);
    ReadResult request = f.readOk(p, ch[1]);
    for (int i = 0; i < MESSAGES; i++) {
      f.writeOk(p, ch[1], "unrelated " + i);
    }
    assertStatus(Status.ERR_SHOULD_WAIT, f.write(p, ch[1], "unrelated"));
    ByteString reply = request.bytes().substring(0, 4).concat(bytes("pong"));
    assertStatus(Status.OK, f.write(p, ch[1], reply), "a reply goes straight to its call, never queued");
    CallResult r = out.get();
    assertStatus(Status.OK, r.status());
    assertEquals(reply, r.bytes());
    assertEquals(MESSAGES, endpoint(f, p, ch[0]).queuedMessages());
  }

  @Test
  void aMessagePutBackByAReaderWithNoRoomIsKeptEvenIfTheQueueFilledMeanwhile(KernelFixture f) {
    // The read path takes the message off, fails to install its handle, and puts it back at the front; here
    // the write that refills the queue is simulated by a full queue behind it.
    Process reader = f.process();
    int[] ch = f.channel(reader);
    int ev = f.event(reader);
    f.writeOk(reader, ch[0], "with a handle", ev);
    Channel b = endpoint(f, reader, ch[1]);
    Wakeups w = new Wakeups();
    Channel.ReadOutcome taken = b.read(100, 4, false, w);
    for (int i = 0; i < MESSAGES; i++) {
      f.writeOk(reader, ch[0], "m" + i);
    }
    b.unread(taken.message(), w);
    w.run();
    assertEquals(MESSAGES + 1, b.queuedMessages(), "put back past the limit: refusing would lose it");
    assertStatus(Status.ERR_SHOULD_WAIT, f.write(reader, ch[0], "more"));
    ReadResult first = f.readOk(reader, ch[1]);
    assertEquals(bytes("with a handle"), first.bytes());
    assertEquals(1, first.handles().length);
    assertStatus(Status.ERR_SHOULD_WAIT, f.write(reader, ch[0], "more"), "still at the limit");
    f.readOk(reader, ch[1]);
    f.writeOk(reader, ch[0], "more");
  }
}
