package dev.zxd.cli.bench;

import com.google.protobuf.ByteString;
import dev.zxd.client.Channel;
import dev.zxd.client.Event;
import dev.zxd.client.Port;
import dev.zxd.client.Socket;
import dev.zxd.client.SyscallStream;
import dev.zxd.client.ZxProcess;
import dev.zxd.client.Zxd;
import dev.zxd.proto.v1.ChannelCreateRequest;
import dev.zxd.proto.v1.ChannelReadEtcRequest;
import dev.zxd.proto.v1.ChannelReadRequest;
import dev.zxd.proto.v1.ChannelWriteEtcRequest;
import dev.zxd.proto.v1.ChannelWriteRequest;
import dev.zxd.proto.v1.ClockGetMonotonicRequest;
import dev.zxd.proto.v1.EventCreateRequest;
import dev.zxd.proto.v1.HandleDisposition;
import dev.zxd.proto.v1.HandleOp;
import dev.zxd.proto.v1.Limit;
import dev.zxd.proto.v1.ObjType;
import dev.zxd.proto.v1.ObjectSetPropertyRequest;
import dev.zxd.proto.v1.ObjectSignalRequest;
import dev.zxd.proto.v1.ObjectWaitAsyncRequest;
import dev.zxd.proto.v1.ObjectWaitOneRequest;
import dev.zxd.proto.v1.PortGrpc;
import dev.zxd.proto.v1.PortWaitReply;
import dev.zxd.proto.v1.PortWaitStreamRequest;
import dev.zxd.proto.v1.Property;
import dev.zxd.proto.v1.Right;
import dev.zxd.proto.v1.Signal;
import dev.zxd.proto.v1.SocketOption;
import dev.zxd.proto.v1.SocketReadRequest;
import dev.zxd.proto.v1.SocketWriteRequest;
import dev.zxd.proto.v1.Status;
import dev.zxd.proto.v1.SyscallReply;
import dev.zxd.proto.v1.SyscallRequest;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/** The load patterns. Each sets up its processes, runs, and exits every process it made (also on failure). */
final class Patterns {
  private Patterns() {}

  static final long INFINITE = Long.MAX_VALUE;
  static final int CH_READABLE = Signal.ZX_CHANNEL_READABLE_VALUE;
  static final int CH_PEER_CLOSED = Signal.ZX_CHANNEL_PEER_CLOSED_VALUE;
  static final int SOCK_READABLE = Signal.ZX_SOCKET_READABLE_VALUE;
  static final int SOCK_WRITABLE = Signal.ZX_SOCKET_WRITABLE_VALUE;
  static final int SOCK_PEER_CLOSED = Signal.ZX_SOCKET_PEER_CLOSED_VALUE;
  static final int SOCK_WRITE_THRESHOLD = Signal.ZX_SOCKET_WRITE_THRESHOLD_VALUE;
  static final int SOCKET_CAPACITY = Limit.ZX_SOCKET_BUFFER_MAX_VALUE;
  static final int USER_0 = Signal.ZX_USER_SIGNAL_0_VALUE;

  // ---- requests ----

  static SyscallRequest.Builder write(int h, ByteString bytes) {
    return SyscallRequest.newBuilder().setChannelWrite(ChannelWriteRequest.newBuilder().setHandle(h).setBytes(bytes));
  }

  static SyscallRequest.Builder read(int h) {
    return SyscallRequest.newBuilder().setChannelRead(ChannelReadRequest.newBuilder().setHandle(h)
        .setNumBytes(65536).setNumHandles(0));
  }

  static SyscallRequest.Builder readEtc(int h) {
    return SyscallRequest.newBuilder().setChannelReadEtc(ChannelReadEtcRequest.newBuilder().setHandle(h)
        .setNumBytes(65536).setNumHandles(64));
  }

  static SyscallRequest.Builder writeEtcMove(int h, ByteString bytes, int moved) {
    return SyscallRequest.newBuilder().setChannelWriteEtc(ChannelWriteEtcRequest.newBuilder().setHandle(h)
        .setBytes(bytes).addHandles(HandleDisposition.newBuilder().setOperation(HandleOp.ZX_HANDLE_OP_MOVE_VALUE)
            .setHandle(moved).setType(ObjType.ZX_OBJ_TYPE_CHANNEL_VALUE)
            .setRights(Right.ZX_RIGHT_SAME_RIGHTS_VALUE)));
  }

  static SyscallRequest.Builder waitOne(int h, int signals) {
    return SyscallRequest.newBuilder().setObjectWaitOne(ObjectWaitOneRequest.newBuilder().setHandle(h)
        .setSignals(signals).setDeadline(INFINITE));
  }

  static SyscallRequest.Builder waitAsync(int h, int port, long key, int signals) {
    return SyscallRequest.newBuilder().setObjectWaitAsync(ObjectWaitAsyncRequest.newBuilder().setHandle(h)
        .setPort(port).setKey(key).setSignals(signals).setOptions(0));
  }

  static SyscallRequest.Builder signal(int h, int clear, int set) {
    return SyscallRequest.newBuilder().setObjectSignal(ObjectSignalRequest.newBuilder().setHandle(h)
        .setClearMask(clear).setSetMask(set));
  }

  static SyscallRequest.Builder socketWrite(int h, ByteString data) {
    return SyscallRequest.newBuilder().setSocketWrite(SocketWriteRequest.newBuilder().setHandle(h).setBuffer(data));
  }

  static SyscallRequest.Builder socketRead(int h, int max) {
    return SyscallRequest.newBuilder().setSocketRead(SocketReadRequest.newBuilder().setHandle(h)
        .setBufferSize(max));
  }

  static SyscallReply ok(SyscallReply r, String what) {
    if (r.getStatus() != Status.ZX_OK) {
      throw new IllegalStateException(what + ": " + r.getStatus() + (r.getError().isEmpty() ? "" : " " + r.getError()));
    }
    return r;
  }

  static ByteString payload(int size, long tag) {
    byte[] b = new byte[Math.max(size, 8)];
    ByteBuffer.wrap(b).putLong(tag);
    return ByteString.copyFrom(b);
  }

  static long tag(ByteString b) {
    return b.size() < 8 ? -1 : b.asReadOnlyByteBuffer().getLong();
  }

  // ---- syscall: one syscall (Object/Signal) per operation ----

  static Measurement syscall(BenchCommand.Setup s) {
    try (Zxd zxd = s.connect(); ZxProcess p = zxd.createProcess("bench-syscall")) {
      Event ev = p.createEvent();
      int h = ev.value();
      try (Sys sys = Sys.of(p, s.mode)) {
        List<Runner.Lane> lanes = new ArrayList<>();
        SyscallRequest.Builder req = signal(h, USER_0, USER_0);
        for (int i = 0; i < s.concurrency; i++) {
          lanes.add(() -> sys.call(req.clone()).thenApply(r -> ok(r, "zx_object_signal")));
        }
        return s.runner("syscall").run("zxd-syscall-" + s.mode,
            "Object/Signal on an event, " + s.mode + ", " + s.concurrency + " in flight", lanes, s.limits(), 0);
      }
    }
  }

  // ---- pingpong ----

  static Measurement pingpong(BenchCommand.Setup s) {
    try (Family f = Family.open(s::connect, "bench-ping", 1, "bench-pong")) {
      ZxProcess a = f.root;
      int n = s.concurrency;
      int[] aEnds = new int[n];
      int[] bEnds = new int[n];
      for (int i = 0; i < n; i++) {
        Channel.Pair pair = a.createChannel();
        aEnds[i] = pair.end0().value();
        bEnds[i] = f.give(0, pair.end1());
      }
      ByteString msg = ByteString.copyFrom(new byte[s.size]);
      try (Sys sa = Sys.of(a, s.mode); Sys sb = Sys.of(f.kids.get(0), s.mode)) {
        for (int i = 0; i < n; i++) {
          if (s.mode == BenchCommand.Mode.chained) {
            new Ponger(((Sys.Streamed) sb).stream(), bEnds[i], msg).start();
          } else {
            pong(sb, bEnds[i]);
          }
        }
        List<Runner.Lane> lanes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          int h = aEnds[i];
          if (s.mode == BenchCommand.Mode.chained) {
            // Write, wait, and a read that the daemon runs once the wait completes: one message out, one in.
            SyscallStream stream = ((Sys.Streamed) sa).stream();
            lanes.add(() -> {
              SyscallStream.Batch b = stream.batch();
              b.add(r -> r.proto().setChannelWrite(write(h, msg).getChannelWrite()));
              SyscallStream.Step wait = b.add(r -> r.proto().setObjectWaitOne(
                  waitOne(h, CH_READABLE | CH_PEER_CLOSED).getObjectWaitOne()));
              SyscallStream.Step read = b.add(r -> r.after(wait).proto().setChannelRead(read(h).getChannelRead()));
              b.send();
              return read.reply().thenApply(r -> ok(r, "zx_channel_read"));
            });
          } else if (s.mode == BenchCommand.Mode.stream) {
            // Write and wait sent back to back on the stream (no round trip between them), then read.
            lanes.add(() -> {
              CompletableFuture<SyscallReply> w = sa.call(write(h, msg));
              CompletableFuture<SyscallReply> wait = sa.call(waitOne(h, CH_READABLE | CH_PEER_CLOSED));
              return w.thenCompose(r -> {
                ok(r, "zx_channel_write");
                return wait;
              }).thenCompose(r -> {
                ok(r, "zx_object_wait_one");
                return sa.call(read(h));
              }).thenApply(r -> ok(r, "zx_channel_read"));
            });
          } else {
            // As a synchronous client would: write, then wait, then read, one RPC after another.
            lanes.add(() -> sa.call(write(h, msg)).thenCompose(r -> {
              ok(r, "zx_channel_write");
              return sa.call(waitOne(h, CH_READABLE | CH_PEER_CLOSED));
            }).thenCompose(r -> {
              ok(r, "zx_object_wait_one");
              return sa.call(read(h));
            }).thenApply(r -> ok(r, "zx_channel_read")));
          }
        }
        Measurement m = s.runner("pingpong").run("zxd-pingpong-" + s.mode,
            "channel round trip between 2 processes on 2 connections (A writes, B waits, reads, writes back, A waits, "
                + "reads), " + s.size + " B, " + s.mode + ", " + n + " pairs", lanes, s.limits(), 2L * s.size);
        return m;
      }
    }
  }

  /**
   * B's side, chained: wait, read after the wait, write a same-sized answer after the read. Two such chains are
   * kept queued in the daemon (each behind the previous chain's write), and every completed wait queues one
   * more, so when A's message lands the daemon runs B's whole step at once, without waiting for B's client.
   */
  private static final class Ponger {
    private final SyscallStream sb;
    private final int h;
    private final ByteString answer;
    private SyscallStream.Step lastWrite; // guarded by this

    Ponger(SyscallStream sb, int h, ByteString answer) {
      this.sb = sb;
      this.h = h;
      this.answer = answer;
    }

    void start() {
      queueNext();
      queueNext();
    }

    private synchronized void queueNext() {
      SyscallStream.Step previous = lastWrite;
      SyscallStream.Batch b = sb.batch();
      SyscallStream.Step wait = b.add(r -> {
        if (previous != null) {
          r.after(previous);
        }
        r.proto().setObjectWaitOne(waitOne(h, CH_READABLE | CH_PEER_CLOSED).getObjectWaitOne());
      });
      SyscallStream.Step read = b.add(r -> r.after(wait).proto().setChannelRead(read(h).getChannelRead()));
      lastWrite = b.add(r -> r.after(read).proto().setChannelWrite(write(h, answer).getChannelWrite()));
      b.send();
      // Stop when the channel dies or the stream ends.
      wait.reply().thenAccept(r -> {
        if (r.getStatus() == Status.ZX_OK && (r.getObjectWaitOne().getObserved() & CH_READABLE) != 0) {
          queueNext();
        }
      }).exceptionally(t -> null);
    }
  }

  /** B's side: wait, read, write the bytes back, again; ends when the channel dies or a call fails. */
  private static void pong(Sys sb, int h) {
    sb.call(waitOne(h, CH_READABLE | CH_PEER_CLOSED)).thenCompose(r -> {
      if (r.getStatus() != Status.ZX_OK || (r.getObjectWaitOne().getObserved() & CH_READABLE) == 0) {
        return CompletableFuture.completedFuture((SyscallReply) null);
      }
      return sb.call(read(h));
    }).thenAccept(r -> {
      if (r == null || r.getStatus() != Status.ZX_OK) {
        return;
      }
      sb.call(write(h, r.getChannelRead().getBytes()));
      pong(sb, h);
    }).exceptionally(t -> null);
  }

  // ---- relay: a ring of N processes passing channel endpoints with MOVE ----

  static Measurement relay(BenchCommand.Setup s) {
    int n = Math.max(2, s.processes);
    try (Family f = Family.open(s::connect, "bench-relay-0", n - 1, "bench-relay")) {
      List<ZxProcess> ps = new ArrayList<>();
      ps.add(f.root);
      ps.addAll(f.kids);
      int[] out = new int[n];
      int[] in = new int[n];
      for (int i = 0; i < n; i++) {
        Channel.Pair ring = f.root.createChannel(); // from process i to process i+1
        int next = (i + 1) % n;
        out[i] = i == 0 ? ring.end0().value() : f.give(i - 1, ring.end0());
        in[next] = next == 0 ? ring.end1().value() : f.give(next - 1, ring.end1());
      }
      int c = s.concurrency;
      int[] tokens = new int[c];
      for (int j = 0; j < c; j++) {
        tokens[j] = f.root.createChannel().end1().value(); // the travelling endpoint; its peer stays home
      }
      List<Sys> sys = new ArrayList<>();
      try {
        for (ZxProcess p : ps) {
          sys.add(Sys.of(p, s.mode));
        }
        for (int i = 1; i < n; i++) {
          hop(sys.get(i), in[i], out[i]);
        }
        @SuppressWarnings("unchecked")
        CompletableFuture<Void>[] laps = new CompletableFuture[c];
        Sys s0 = sys.get(0);
        home(s0, in[0], tokens, laps);
        List<Runner.Lane> lanes = new ArrayList<>();
        for (int j = 0; j < c; j++) {
          int lane = j;
          ByteString bytes = payload(s.size, lane);
          lanes.add(() -> {
            CompletableFuture<Void> lap = new CompletableFuture<>();
            laps[lane] = lap;
            s0.call(writeEtcMove(out[0], bytes, tokens[lane])).thenAccept(r -> ok(r, "zx_channel_write_etc"))
                .exceptionally(t -> {
                  lap.completeExceptionally(t);
                  return null;
                });
            return lap;
          });
        }
        Measurement m = s.runner("relay").run("zxd-relay-" + s.mode,
            "a channel endpoint MOVEd around a ring of " + n + " processes (write_etc, wait, read_etc per hop); "
                + "latency per lap, " + c + " endpoints travelling, " + s.mode, lanes, s.limits(), 0);
        m.extra.put("processes", n);
        m.extra.put("hops_per_second", m.opsPerSecond() * n);
        m.extra.put("hop_p50_us", m.us(50) / n);
        return m;
      } finally {
        sys.forEach(Sys::close);
      }
    }
  }

  private static void hop(Sys s, int in, int out) {
    s.call(waitOne(in, CH_READABLE | CH_PEER_CLOSED)).thenCompose(r -> {
      if (r.getStatus() != Status.ZX_OK || (r.getObjectWaitOne().getObserved() & CH_READABLE) == 0) {
        return CompletableFuture.completedFuture((SyscallReply) null);
      }
      return s.call(readEtc(in));
    }).thenAccept(r -> {
      if (r == null || r.getStatus() != Status.ZX_OK) {
        return;
      }
      int h = r.getChannelReadEtc().getHandles(0).getHandle();
      s.call(writeEtcMove(out, r.getChannelReadEtc().getBytes(), h));
      hop(s, in, out);
    }).exceptionally(t -> null);
  }

  private static void home(Sys s, int in, int[] tokens, CompletableFuture<Void>[] laps) {
    s.call(waitOne(in, CH_READABLE | CH_PEER_CLOSED)).thenCompose(r -> {
      if (r.getStatus() != Status.ZX_OK || (r.getObjectWaitOne().getObserved() & CH_READABLE) == 0) {
        return CompletableFuture.completedFuture((SyscallReply) null);
      }
      return s.call(readEtc(in));
    }).thenAccept(r -> {
      if (r == null || r.getStatus() != Status.ZX_OK) {
        return;
      }
      int lane = (int) tag(r.getChannelReadEtc().getBytes());
      tokens[lane] = r.getChannelReadEtc().getHandles(0).getHandle();
      home(s, in, tokens, laps);
      laps[lane].complete(null);
    }).exceptionally(t -> null);
  }

  // ---- fanout: one writer, N readers each on its own port ----

  static Measurement fanout(BenchCommand.Setup s) {
    int n = Math.max(1, s.processes);
    try (Family f = Family.open(s::connect, "bench-fanout-writer", n, "bench-fanout-reader")) {
      List<Context.CancellableContext> streams = new ArrayList<>();
      List<Sys> sys = new ArrayList<>();
      try {
        for (int i = 0; i < n; i++) {
          ZxProcess kid = f.kids.get(i);
          Sys ks = Sys.of(kid, s.mode);
          sys.add(ks);
          Port port = kid.createPort();
          int ch = f.kidBoot.get(i).value();
          int key = i;
          f.kidBoot.get(i).waitAsync(port, key, CH_READABLE | CH_PEER_CLOSED, 0);
          Context.CancellableContext ctx = Context.current().withCancellation();
          streams.add(ctx);
          ctx.run(() -> PortGrpc.newStub(kid.stubs().sessionChannel()).waitStream(
              PortWaitStreamRequest.newBuilder().setHandle(port.value()).build(), new StreamObserver<PortWaitReply>() {
                @Override
                public void onNext(PortWaitReply packet) {
                  ks.call(read(ch)).thenAccept(r -> {
                    if (r.getStatus() == Status.ZX_OK) {
                      ks.call(write(ch, r.getChannelRead().getBytes())); // the ack (fan-in)
                    }
                    if (r.getStatus() == Status.ZX_OK || r.getStatus() == Status.ZX_ERR_SHOULD_WAIT) {
                      ks.call(waitAsync(ch, port.value(), key, CH_READABLE | CH_PEER_CLOSED));
                    }
                  }).exceptionally(t -> null);
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onCompleted() {}
              }));
        }
        Sys w = Sys.of(f.root, s.mode);
        sys.add(w);
        Map<Long, Round> rounds = new ConcurrentHashMap<>();
        for (int i = 0; i < n; i++) {
          acks(w, f.rootBoot.get(i).value(), rounds);
        }
        AtomicLong seq = new AtomicLong();
        List<Runner.Lane> lanes = new ArrayList<>();
        for (int j = 0; j < s.concurrency; j++) {
          lanes.add(() -> {
            long r = seq.getAndIncrement();
            Round round = new Round(n);
            rounds.put(r, round);
            ByteString bytes = payload(s.size, r);
            for (int i = 0; i < n; i++) {
              w.call(write(f.rootBoot.get(i).value(), bytes)).thenAccept(x -> ok(x, "zx_channel_write"))
                  .exceptionally(t -> {
                    round.done.completeExceptionally(t);
                    return null;
                  });
            }
            return round.done;
          });
        }
        Measurement m = s.runner("fanout").run("zxd-fanout-" + s.mode,
            "one writer sends each message to " + n + " readers (each waits on its own port: wait_async + "
                + "Port/WaitStream, reads, acks); latency until every ack is read, " + s.size + " B, " + s.mode + ", "
                + s.concurrency + " rounds in flight", lanes, s.limits(), (long) s.size * n);
        m.extra.put("readers", n);
        m.extra.put("messages_delivered_per_second", m.opsPerSecond() * n);
        return m;
      } finally {
        streams.forEach(c -> c.cancel(null));
        sys.forEach(Sys::close);
      }
    }
  }

  private static final class Round {
    final AtomicInteger remaining;
    final CompletableFuture<Void> done = new CompletableFuture<>();

    Round(int n) {
      remaining = new AtomicInteger(n);
    }
  }

  private static void acks(Sys w, int ch, Map<Long, Round> rounds) {
    w.call(waitOne(ch, CH_READABLE | CH_PEER_CLOSED)).thenCompose(r -> {
      if (r.getStatus() != Status.ZX_OK || (r.getObjectWaitOne().getObserved() & CH_READABLE) == 0) {
        return CompletableFuture.completedFuture((SyscallReply) null);
      }
      return w.call(read(ch));
    }).thenAccept(r -> {
      if (r == null || r.getStatus() != Status.ZX_OK) {
        return;
      }
      acks(w, ch, rounds);
      long id = tag(r.getChannelRead().getBytes());
      Round round = rounds.get(id);
      if (round != null && round.remaining.decrementAndGet() == 0) {
        rounds.remove(id);
        round.done.complete(null);
      }
    }).exceptionally(t -> null);
  }

  // ---- socket: streaming writes from one process to another ----

  static Measurement socket(BenchCommand.Setup s) {
    try (Family f = Family.open(s::connect, "bench-socket-writer", 1, "bench-socket-reader")) {
      Socket.Pair pair = f.root.createSocket(SocketOption.ZX_SOCKET_STREAM_VALUE);
      int wh = pair.end0().value();
      int rh = f.give(0, pair.end1());
      ByteString data = ByteString.copyFrom(new byte[s.size]);
      ReadTally tally = new ReadTally();
      try (Sys w = Sys.of(f.root, s.mode); Sys r = Sys.of(f.kids.get(0), s.mode)) {
        boolean chained = s.mode == BenchCommand.Mode.chained;
        int max = Math.max(4 * s.size, 65536);
        boolean quiet = s.quiet; // BenchCommand allows it only in chained mode, with writes that fit whole
        if (chained) {
          // Answered writes: one pair queued at a time. Measured slower, over TCP in one session with 4 writers: two
          // or three pairs (reads of whatever has landed, sooner), reads of one write's size, and pairs waiting
          // for a read threshold (ZX_PROP_SOCKET_RX_THRESHOLD 128 or 192 KiB) instead of READABLE: 92 to 281 MB/s
          // against 305 to 372.
          // Quiet writes: two pairs. The writes wait in the daemon and refill the socket as soon as a read empties
          // it, so the second read finds data at once while the first one's reply travels. Over TCP with 8
          // writers, in alternating runs: x0.86 to x1.06 of echo-stream with two pairs, x0.68 to x0.88 with one.
          new ChainedReader(((Sys.Streamed) r).stream(), rh, max, tally).start(quiet ? 2 : 1);
        } else {
          drain(r, rh, max, tally);
        }
        ChainedWriter writer = chained ? new ChainedWriter(((Sys.Streamed) w).stream(), wh, quiet ? tally : null)
            : null;
        if (writer != null) {
          writer.start(s.size);
        }
        List<Runner.Lane> lanes = new ArrayList<>();
        for (int i = 0; i < s.concurrency; i++) {
          lanes.add(chained ? () -> writer.write(data) : () -> writeAll(w, wh, data));
        }
        long before = tally.bytes.get();
        long readsBefore = tally.reads.get();
        long t0 = System.nanoTime();
        Measurement m = s.runner("socket").run("zxd-socket-" + s.mode + (quiet ? "-quiet" : ""),
            s.size + " B socket writes (stream socket, " + (chained
                ? "each queued in the daemon behind the previous one until it fits, WRITE_THRESHOLD"
                : "short writes retried, SHOULD_WAIT waits for WRITABLE") + ") from one process, read by another; "
                + s.mode + ", " + s.concurrency + " writes in flight" + (quiet
                ? "; quiet (one write in " + ChainedWriter.ANSWER_EVERY + " answered), a write done when the reader "
                    + "has read its last byte" : ""), lanes,
            s.limits(), s.size);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long bytes = tally.bytes.get() - before;
        long n = tally.reads.get() - readsBefore;
        m.extra.put("reader_mb_per_second_whole_run", bytes / 1e6 / seconds);
        m.extra.put("reader_bytes_whole_run", bytes);
        if (chained) {
          m.extra.put("reader_reads_queued", quiet ? 2 : 1);
        }
        m.extra.put("reader_mean_read_bytes", n == 0 ? 0.0 : bytes / (double) n);
        if (writer != null) {
          m.extra.put("writes_short", writer.shortWrites.get());
          m.extra.put("writes_refused", writer.refusedWrites.get());
        }
        return m;
      }
    }
  }

  private static CompletableFuture<Void> writeAll(Sys s, int h, ByteString data) {
    return s.call(socketWrite(h, data)).thenCompose(r -> {
      if (r.getStatus() == Status.ZX_OK) {
        int actual = r.getSocketWrite().getActual();
        return actual >= data.size() ? CompletableFuture.completedFuture((Void) null)
            : writeAll(s, h, data.substring(actual));
      }
      if (r.getStatus() == Status.ZX_ERR_SHOULD_WAIT) {
        return s.call(waitOne(h, SOCK_WRITABLE | SOCK_PEER_CLOSED)).thenCompose(wr -> {
          ok(wr, "zx_object_wait_one");
          if ((wr.getObjectWaitOne().getObserved() & SOCK_WRITABLE) == 0) {
            throw new IllegalStateException("socket reader went away");
          }
          return writeAll(s, h, data);
        });
      }
      throw new IllegalStateException("zx_socket_write: " + r.getStatus());
    });
  }

  /**
   * Chained writer: every write goes as "wait, then write" in one message, queued in the daemon behind the
   * previous write of any lane (after), and the wait is for ZX_SOCKET_WRITE_THRESHOLD with the threshold set to
   * one write's size. So the daemon runs each write the moment it fits whole, in the order sent, with no trip
   * back to the client: no short writes, and no lanes woken together to race for the same room (a write that
   * lost the race would have carried its payload to the daemon for nothing).
   *
   * <p>Quiet (--quiet): the waits and writes ask for no reply on success, so the writer's connection carries
   * payloads one way and almost nothing back. One write in {@link #ANSWER_EVERY} is answered, which settles the
   * quiet steps before it in the client's stream. A write then counts as done when the reader has read its last
   * byte: the latency is the data's, writer to reader.
   */
  private static final class ChainedWriter {
    static final int ANSWER_EVERY = 16;
    private final SyscallStream s;
    private final int h;
    private final QueuedPairs pairs;
    private final ReadTally deliveredTo; // quiet: the reader's tally, which completes the writes; else null
    final AtomicLong shortWrites = new AtomicLong();
    final AtomicLong refusedWrites = new AtomicLong();
    private int waitFor = SOCK_WRITABLE | SOCK_PEER_CLOSED;
    private long bytesSent; // quiet; guarded by pairs
    private long writesSent; // quiet; guarded by pairs

    ChainedWriter(SyscallStream s, int h, ReadTally deliveredTo) {
      this.s = s;
      this.h = h;
      this.pairs = new QueuedPairs(s, h);
      this.deliveredTo = deliveredTo;
    }

    /** Sets the socket's write threshold to one write: WRITE_THRESHOLD then means "this write fits". */
    void start(int writeSize) {
      if (writeSize > SOCKET_CAPACITY) {
        return; // never fits whole: wait for any room, and the rest of each short write is chained behind it
      }
      ok(s.call(SyscallRequest.newBuilder().setObjectSetProperty(ObjectSetPropertyRequest.newBuilder()
          .setHandle(h).setProperty(Property.ZX_PROP_SOCKET_TX_THRESHOLD_VALUE).setNumber(writeSize))).join(),
          "zx_object_set_property(ZX_PROP_SOCKET_TX_THRESHOLD)");
      waitFor = SOCK_WRITE_THRESHOLD | SOCK_PEER_CLOSED;
    }

    CompletableFuture<Void> write(ByteString data) {
      return deliveredTo != null ? writeQuiet(data) : writeAnswered(data);
    }

    private CompletableFuture<Void> writeQuiet(ByteString data) {
      CompletableFuture<Void> delivered = new CompletableFuture<>();
      SyscallStream.Step write;
      synchronized (pairs) {
        bytesSent += data.size();
        deliveredTo.whenReached(bytesSent, delivered);
        boolean answered = ++writesSent % ANSWER_EVERY == 0;
        write = pairs.queue(waitFor, true, q -> (answered ? q : q.quiet()).proto()
            .setSocketWrite(socketWrite(h, data).getSocketWrite()))[1];
      }
      // Quiet steps are answered only on failure; an answered write that went short would leave a hole.
      write.reply().thenAccept(r -> {
        if (r.getStatus() != Status.ZX_OK) {
          deliveredTo.fail(new IllegalStateException("zx_socket_write: " + r.getStatus() + " " + r.getError()));
        } else if (r.hasSocketWrite() && r.getSocketWrite().getActual() < data.size()) {
          shortWrites.incrementAndGet();
          deliveredTo.fail(new IllegalStateException("a quiet chain's write went short"));
        }
      });
      return delivered;
    }

    private CompletableFuture<Void> writeAnswered(ByteString data) {
      SyscallStream.Step write = pairs.queue(waitFor, false,
          q -> q.proto().setSocketWrite(socketWrite(h, data).getSocketWrite()))[1];
      return write.reply().thenCompose(r -> {
        if (r.getStatus() == Status.ZX_OK) {
          int actual = r.getSocketWrite().getActual();
          if (actual >= data.size()) {
            return CompletableFuture.completedFuture((Void) null);
          }
          shortWrites.incrementAndGet();
          return writeAnswered(data.substring(actual));
        }
        if (r.getStatus() == Status.ZX_ERR_SHOULD_WAIT) {
          refusedWrites.incrementAndGet();
          return writeAnswered(data); // another process wrote to the socket between the wait and this write
        }
        throw new IllegalStateException("zx_socket_write: " + r.getStatus());
      });
    }
  }

  /**
   * Chained reader: "wait for READABLE, then read" sent as one message, and the next pair sent (queued behind
   * the last read) as soon as a wait completes, so the daemon always holds the reader's next read or two.
   */
  private static final class ChainedReader {
    private final int h;
    private final int max;
    private final ReadTally tally;
    private final QueuedPairs pairs;

    ChainedReader(SyscallStream s, int h, int max, ReadTally tally) {
      this.h = h;
      this.max = max;
      this.tally = tally;
      this.pairs = new QueuedPairs(s, h);
    }

    /** Queues {@code pairs} wait-then-read pairs, each behind the one before. */
    void start(int pairs) {
      for (int i = 0; i < pairs; i++) {
        queuePair();
      }
    }

    private void queuePair() {
      SyscallStream.Step[] waitAndRead = pairs.queue(SOCK_READABLE | SOCK_PEER_CLOSED, false,
          q -> q.proto().setSocketRead(socketRead(h, max).getSocketRead()));
      waitAndRead[1].reply().thenAccept(r -> {
        if (r.getStatus() == Status.ZX_OK) {
          tally.add(r.getSocketRead().getBuffer().size());
        }
      }).exceptionally(t -> null);
      waitAndRead[0].reply().thenAccept(w -> {
        if (w.getStatus() == Status.ZX_OK && (w.getObjectWaitOne().getObserved() & SOCK_READABLE) != 0) {
          queuePair();
        }
      }).exceptionally(t -> null);
    }
  }

  /**
   * "Wait for {@code signals} on the handle, then {@code op}" as one message, each pair queued in the daemon
   * (after) behind the previous pair's op, so the ops run in the order sent.
   */
  private static final class QueuedPairs {
    private final SyscallStream s;
    private final int h;
    private SyscallStream.Step lastOp; // guarded by this

    QueuedPairs(SyscallStream s, int h) {
      this.s = s;
      this.h = h;
    }

    /** Sends the pair; returns its wait and op steps. {@code quietWait}: the wait is answered only on failure. */
    synchronized SyscallStream.Step[] queue(int signals, boolean quietWait, Consumer<SyscallStream.Request> op) {
      SyscallStream.Batch b = s.batch();
      SyscallStream.Step previous = lastOp;
      SyscallStream.Step wait = b.add(q -> {
        if (previous != null) {
          q.after(previous);
        }
        if (quietWait) {
          q.quiet();
        }
        q.proto().setObjectWaitOne(waitOne(h, signals).getObjectWaitOne());
      });
      lastOp = b.add(q -> op.accept(q.after(wait)));
      b.send();
      return new SyscallStream.Step[] {wait, lastOp};
    }
  }

  /** Bytes and reads the socket's reader has received, and writes waiting for their last byte to be read. */
  private static final class ReadTally {
    final AtomicLong bytes = new AtomicLong();
    final AtomicLong reads = new AtomicLong();
    private final ArrayDeque<Delivery> waiting = new ArrayDeque<>(); // guarded by itself; in order of end
    private Throwable failure; // guarded by waiting

    private record Delivery(long end, CompletableFuture<Void> done) {}

    void add(int n) {
      bytes.addAndGet(n);
      reads.incrementAndGet();
      completeReached();
    }

    /** {@code done} completes once the reader has received {@code end} bytes in all (ends given in order). */
    void whenReached(long end, CompletableFuture<Void> done) {
      synchronized (waiting) {
        if (failure != null) {
          done.completeExceptionally(failure);
          return;
        }
        waiting.add(new Delivery(end, done));
      }
      completeReached();
    }

    void fail(Throwable t) {
      List<Delivery> failed;
      synchronized (waiting) {
        failure = t;
        failed = new ArrayList<>(waiting);
        waiting.clear();
      }
      failed.forEach(d -> d.done.completeExceptionally(t));
    }

    private void completeReached() {
      long received = bytes.get();
      List<Delivery> reached = null;
      synchronized (waiting) {
        while (!waiting.isEmpty() && waiting.peek().end <= received) {
          (reached == null ? reached = new ArrayList<>() : reached).add(waiting.poll());
        }
      }
      if (reached != null) {
        // Outside the lock: completing starts the lane's next write, which registers here again.
        reached.forEach(d -> d.done.complete(null));
      }
    }
  }

  private static void drain(Sys s, int h, int max, ReadTally tally) {
    s.call(socketRead(h, max)).thenAccept(r -> {
      if (r.getStatus() == Status.ZX_OK) {
        tally.add(r.getSocketRead().getBuffer().size());
        drain(s, h, max, tally);
      } else if (r.getStatus() == Status.ZX_ERR_SHOULD_WAIT) {
        s.call(waitOne(h, SOCK_READABLE | SOCK_PEER_CLOSED)).thenAccept(w -> {
          if (w.getStatus() == Status.ZX_OK && (w.getObjectWaitOne().getObserved() & SOCK_READABLE) != 0) {
            drain(s, h, max, tally);
          }
        }).exceptionally(t -> null);
      }
    }).exceptionally(t -> null);
  }

  // ---- sessions: P processes each holding H handles ----

  static Measurement sessions(BenchCommand.Setup s) {
    int p = Math.max(1, s.processes);
    int h = Math.max(0, s.handles);
    int connections = (p + 999) / 1000;
    List<Zxd> conns = new ArrayList<>();
    List<ZxProcess> made = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(s.concurrency, daemonThreads("bench-sessions"));
    try {
      for (int i = 0; i < connections; i++) {
        conns.add(s.connect());
      }
      AtomicInteger next = new AtomicInteger();
      List<Runner.Lane> lanes = new ArrayList<>();
      for (int j = 0; j < s.concurrency; j++) {
        lanes.add(() -> {
          int i = next.getAndIncrement();
          if (i >= p) {
            return null;
          }
          return CompletableFuture.runAsync(() -> made.add(session(conns.get(i % connections), i, h)), pool);
        });
      }
      Runner.Limits limits = new Runner.Limits(0, 0, 0, TimeUnit.MINUTES.toNanos(30));
      Measurement m = s.runner("sessions").run("zxd-sessions",
          p + " processes (Process/Create + KeepAlive), each making " + h + " handles in one pipelined batch on its "
              + "Kernel/Invoke stream (channel_create x " + (h / 2) + (h % 2 == 1 ? " + event_create" : "")
              + "); latency per process, " + s.concurrency + " at a time", lanes, limits, 0);
      m.extra.put("processes", p);
      m.extra.put("handles_per_process", h);
      m.extra.put("handles_total", (long) p * h);
      m.extra.put("create_seconds", m.seconds());
      s.daemonFigures(m, "after_create_");
      long t0 = System.nanoTime();
      exitAll(made, pool);
      m.extra.put("exit_seconds", (System.nanoTime() - t0) / 1e9);
      return m;
    } finally {
      exitAll(made, pool);
      pool.shutdownNow();
      conns.forEach(Zxd::close);
    }
  }

  private static ZxProcess session(Zxd zxd, int i, int handles) {
    ZxProcess proc = zxd.createProcess("bench-session-" + i);
    try (SyscallStream st = proc.stream()) {
      SyscallStream.Batch b = st.batch();
      for (int k = 0; k + 1 < handles; k += 2) {
        b.add(r -> r.proto().setChannelCreate(ChannelCreateRequest.getDefaultInstance()));
      }
      if (handles % 2 == 1) {
        b.add(r -> r.proto().setEventCreate(EventCreateRequest.getDefaultInstance()));
      }
      for (SyscallReply r : b.send().join()) {
        ok(r, "create");
      }
    } catch (RuntimeException e) {
      proc.close();
      throw e;
    }
    return proc;
  }

  private static void exitAll(List<ZxProcess> procs, ExecutorService pool) {
    List<ZxProcess> copy;
    synchronized (procs) {
      copy = new ArrayList<>(procs);
      procs.clear();
    }
    List<CompletableFuture<Void>> fs = new ArrayList<>();
    for (ZxProcess p : copy) {
      fs.add(CompletableFuture.runAsync(() -> {
        try {
          p.close();
        } catch (RuntimeException ignored) {
          // already dead
        }
      }, pool));
    }
    CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).orTimeout(10, TimeUnit.MINUTES).join();
  }

  // ---- waits: W pending waits over P processes, completed by one signal per process ----

  static List<Measurement> waits(BenchCommand.Setup s) {
    int p = Math.max(1, Math.min(s.processes, s.waits));
    int w = Math.max(1, s.waits);
    List<Zxd> conns = new ArrayList<>();
    List<ZxProcess> procs = new ArrayList<>();
    List<SyscallStream> streams = new ArrayList<>();
    Ticker ticker = null;
    try {
      int[] events = new int[p];
      for (int i = 0; i < p; i++) {
        if (conns.size() < Math.min(p, 4)) {
          conns.add(s.connect());
        }
        ZxProcess proc = conns.get(i % conns.size()).createProcess("bench-waits-" + i);
        procs.add(proc);
        events[i] = proc.createEvent().value();
        streams.add(proc.stream());
      }
      ConcurrentHistogram complete = new ConcurrentHistogram(3);
      ConcurrentHistogram register = new ConcurrentHistogram(3);
      AtomicLong done = new AtomicLong();
      AtomicLong acked = new AtomicLong();
      ticker = s.ticker("waits", () -> acked.get() + done.get());
      List<CompletableFuture<SyscallReply>> waits = new ArrayList<>(w);
      long[] signalAt = new long[1];
      long r0 = System.nanoTime();
      List<CompletableFuture<Void>> barriers = new ArrayList<>();
      for (int i = 0; i < p; i++) {
        int share = w / p + (i < w % p ? 1 : 0);
        SyscallStream st = streams.get(i);
        for (int k = 0; k < share; k++) {
          CompletableFuture<SyscallReply> f = st.call(waitOne(events[i], USER_0));
          f.thenRun(() -> {
            complete.recordValue(Math.max(1, System.nanoTime() - signalAt[0]));
            done.incrementAndGet();
          });
          waits.add(f);
        }
        // A later syscall on the same stream replies after every wait before it is registered.
        long sent = System.nanoTime();
        barriers.add(st.call(SyscallRequest.newBuilder()
            .setClockGetMonotonic(ClockGetMonotonicRequest.getDefaultInstance())).thenAccept(r -> {
              register.recordValue(Math.max(1, System.nanoTime() - sent));
              acked.addAndGet(share);
            }));
      }
      CompletableFuture.allOf(barriers.toArray(CompletableFuture[]::new)).orTimeout(10, TimeUnit.MINUTES).join();
      long r1 = System.nanoTime();
      Measurement reg = new Measurement("zxd-waits-register",
          w + " wait_one calls on " + p + " processes' Kernel/Invoke streams, until a later syscall on each stream "
              + "answers (latency per process)", w, r1 - r0, 0, register.copy());
      Map<String, Object> pending = s.daemonFigures(reg, "while_pending_");
      signalAt[0] = System.nanoTime();
      for (int i = 0; i < p; i++) {
        streams.get(i).call(signal(events[i], 0, USER_0)).thenAccept(r -> ok(r, "zx_object_signal"));
      }
      CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).orTimeout(10, TimeUnit.MINUTES).join();
      long c1 = System.nanoTime();
      for (CompletableFuture<SyscallReply> f : waits) {
        ok(f.join(), "zx_object_wait_one");
      }
      Histogram ch = complete.copy();
      Measurement comp = new Measurement("zxd-waits-complete",
          "the " + w + " pending waits completed by one Object/Signal per process (latency: signal sent to each "
              + "wait's reply)", w, c1 - signalAt[0], 0, ch);
      comp.extra.put("waits", w);
      comp.extra.put("processes", p);
      comp.extra.put("register_seconds", reg.seconds());
      comp.extra.put("complete_seconds", comp.seconds());
      comp.extra.putAll(pending);
      s.daemonFigures(comp, "after_complete_");
      return List.of(comp, reg);
    } finally {
      if (ticker != null) {
        ticker.close();
      }
      streams.forEach(SyscallStream::close);
      for (ZxProcess proc : procs) {
        try {
          proc.close();
        } catch (RuntimeException ignored) {
          // already dead
        }
      }
      conns.forEach(Zxd::close);
    }
  }

  static java.util.concurrent.ThreadFactory daemonThreads(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Progress once a second for the one-shot patterns (sessions, waits). */
  static final class Ticker implements AutoCloseable {
    private final java.util.concurrent.ScheduledExecutorService timer;

    Ticker(String label, java.util.function.LongSupplier ops, java.io.PrintWriter err) {
      timer = Executors.newSingleThreadScheduledExecutor(daemonThreads("bench-progress"));
      long t0 = System.nanoTime();
      long[] last = {0, t0};
      timer.scheduleAtFixedRate(() -> {
        long now = System.nanoTime();
        long v = ops.getAsLong();
        err.printf("%s: %5.1fs  %,d ops  %,.0f ops/s%n", label, (now - t0) / 1e9, v,
            (v - last[0]) / ((now - last[1]) / 1e9));
        err.flush();
        last[0] = v;
        last[1] = now;
      }, 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
      timer.shutdownNow();
    }
  }
}
