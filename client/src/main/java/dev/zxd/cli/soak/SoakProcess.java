package dev.zxd.cli.soak;

import com.google.protobuf.ByteString;
import dev.zxd.client.SyscallStream;
import dev.zxd.client.ZxProcess;
import dev.zxd.proto.v1.HandleInfo;
import dev.zxd.proto.v1.ObjType;
import dev.zxd.proto.v1.ProtocolInfo;
import dev.zxd.proto.v1.Signal;
import dev.zxd.proto.v1.Status;
import dev.zxd.proto.v1.SyscallReply;
import dev.zxd.proto.v1.SyscallRequest;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * One simulated process: its session, its Kernel/Invoke stream and the link ends it holds. It runs one step
 * at a time ({@link #step()}: at most one syscall, or a close-and-write pair, in flight), so its own state
 * needs no lock; the ends it shares with other processes are in {@link Link}s, which lock themselves.
 *
 * <p>Each step does the most urgent thing it can: finish handing over a socket by token, redeem a token,
 * read the launcher's channel, accept a shared socket, close an end whose peer has gone (checking the daemon
 * reports PEER_CLOSED), now and then move an end to another process; else read a link with unread messages or
 * write the next numbered messages to a link with room in its window, the two taking turns.
 */
final class SoakProcess {
  enum State { RUNNING, EXITING, DRAINED, EXITED }

  static final CompletableFuture<Boolean> IDLE = CompletableFuture.completedFuture(false);
  /**
   * No end is moved to a process holding this many already: left alone, the random moves pile ends onto a few
   * processes, which then take so long to get round their links that tokens expire unread.
   */
  static final int MAX_ENDS = 12;
  private static final int PEER_CLOSED = Signal.ZX_CHANNEL_PEER_CLOSED_VALUE; // == ZX_SOCKET_PEER_CLOSED

  final String name;
  final ZxProcess process;
  final long pid;
  final SyscallStream stream;
  /** The launcher's channel to this process (rx end here). */
  final Link boot;
  private final Soak soak;
  private final Random random;

  volatile State state = State.RUNNING;
  /** The ends this process holds (not its boot end). Touched only by the step in progress. */
  final List<Link.End> held = new ArrayList<>();
  private final ArrayDeque<Redeem> toRedeem = new ArrayDeque<>();
  private PendingToken pendingToken;
  private int cursor;
  /** held.size(), for other processes deciding whether to send it more ends. */
  private volatile int holding;
  private boolean writeFirst;

  private record Redeem(Link.End cargo, Link carrier, ProtocolInfo info) {}

  private record PendingToken(Link.End carrier, Link.End cargo, ProtocolInfo info) {}

  SoakProcess(Soak soak, String name, ZxProcess process, Link boot, int bootHandle, long seed) {
    this.soak = soak;
    this.name = name;
    this.process = process;
    this.pid = process.koid();
    this.stream = process.stream();
    this.boot = boot;
    this.random = new Random(seed);
    boot.rx.holder = this;
    boot.rx.handle = bootHandle;
  }

  /**
   * One step. Completes with true if it did something, false if there was nothing to do; exceptionally when
   * the daemon answered something the protocol rules out (the run then stops).
   */
  CompletableFuture<Boolean> step() {
    if (state == State.EXITING) {
      boot.markClosing();
      for (Link.End e : held) {
        e.link.markClosing();
      }
    }
    if (pendingToken != null) {
      return sendToken();
    }
    if (!toRedeem.isEmpty()) {
      return redeem(toRedeem.poll());
    }
    if (boot.unread()) {
      return readChannel(boot.rx);
    }
    int n = held.size();
    for (int i = 0; i < n; i++) {
      Link.End e = held.get((cursor + i) % n);
      if (!e.tx && e.link.kind == Link.Kind.STREAM && e.link.parkedShare() != null) {
        cursor = (cursor + i + 1) % n;
        return accept(e);
      }
    }
    for (int i = 0; i < n; i++) {
      Link.End e = held.get(i);
      if (e.peer().closed && (e.tx || e.link.quiet())) {
        return closeAfterPeer(e);
      }
    }
    for (int i = 0; i < n; i++) {
      // A token is on its way here: read that link first, tokens expire (and the sender is waiting to drain).
      Link.End e = held.get(i);
      if (!e.tx && e.link.tokensInFlight() > 0 && e.link.unread()) {
        return read(e);
      }
    }
    if (state == State.RUNNING && n > 1 && random.nextDouble() < soak.moveChance) {
      CompletableFuture<Boolean> moved = tryMove();
      if (moved != null) {
        return moved;
      }
    }
    // Reads and writes take turns, so a process reading many busy links still writes its own.
    writeFirst = !writeFirst;
    CompletableFuture<Boolean> f = writeFirst ? writeOne() : readOne();
    if (f == null) {
      f = writeFirst ? readOne() : writeOne();
    }
    if (f != null) {
      return f;
    }
    if (state == State.EXITING && drained()) {
      state = State.DRAINED;
    }
    return IDLE;
  }

  /** Reads the next link (round robin) with unread messages; null if none has any. */
  private CompletableFuture<Boolean> readOne() {
    int n = held.size();
    for (int i = 0; i < n; i++) {
      Link.End e = held.get((cursor + i) % n);
      if (!e.tx && e.link.unread()) {
        cursor = (cursor + i + 1) % n;
        return read(e);
      }
    }
    return null;
  }

  /** Writes to the next link (round robin) with room in its window; null if none has any. */
  private CompletableFuture<Boolean> writeOne() {
    int n = held.size();
    for (int i = 0; i < n; i++) {
      Link.End e = held.get((cursor + i) % n);
      if (e.tx && !e.peer().closed) {
        CompletableFuture<Boolean> w = write(e);
        if (w != null) {
          cursor = (cursor + i + 1) % n;
          return w;
        }
      }
    }
    return null;
  }

  /** Exiting, and nothing more can arrive: every link it reads is drained and every transfer it started done. */
  private boolean drained() {
    if (pendingToken != null || !toRedeem.isEmpty() || !boot.drained()) {
      return false;
    }
    for (Link.End e : held) {
      if (!e.tx && !e.link.drained()) {
        return false;
      }
    }
    return true;
  }

  // ---- reading ----

  private CompletableFuture<Boolean> read(Link.End e) {
    return switch (e.link.kind) {
      case CHANNEL, BOOT -> readChannel(e);
      case STREAM -> readStream(e);
      case DATAGRAM -> readDatagram(e);
    };
  }

  private CompletableFuture<Boolean> readChannel(Link.End e) {
    return call(Wire.readEtc(e.handle), "zx_channel_read_etc " + e).thenApply(r -> {
      var m = r.getChannelReadEtc();
      Wire.ChannelMessage msg = Wire.parse(m.getBytes());
      if (msg == null || msg.linkId() != e.link.id) {
        e.link.check.unexpected("a message that is not this link's (" + m.getBytes().size() + " bytes)");
        closeAll(m.getHandlesList());
        return true;
      }
      e.link.check.received(msg.seq());
      if (msg.kind() == Wire.DATA) {
        if (m.getHandlesCount() != 0) {
          throw soak.protocolError(e + ": a data message carried handles");
        }
      } else if (msg.kind() == Wire.MOVE) {
        if (m.getHandlesCount() != 1) {
          throw soak.protocolError(e + ": a MOVE message carried " + m.getHandlesCount() + " handles");
        }
        Link.End cargo = soak.end(msg.cargoLinkId(), msg.cargoTx());
        HandleInfo h = m.getHandles(0);
        int want = cargo.link.kind == Link.Kind.CHANNEL ? ObjType.ZX_OBJ_TYPE_CHANNEL_VALUE
            : ObjType.ZX_OBJ_TYPE_SOCKET_VALUE;
        if (h.getType() != want) {
          throw soak.protocolError(e + ": " + cargo + " arrived as object type " + h.getType());
        }
        take(cargo, h.getHandle());
      } else {
        Link.End cargo = soak.end(msg.cargoLinkId(), msg.cargoTx());
        toRedeem.add(new Redeem(cargo, e.link, msg.token()));
      }
      return true;
    });
  }

  private CompletableFuture<Boolean> readStream(Link.End e) {
    int max = soak.window * Link.RECORD_BYTES;
    return call(Wire.socketRead(e.handle, max), "zx_socket_read " + e).thenApply(r -> {
      ByteString got = e.link.partial().concat(r.getSocketRead().getBuffer());
      int whole = got.size() / Link.RECORD_BYTES * Link.RECORD_BYTES;
      records(e.link, got.substring(0, whole));
      e.link.partial(got.substring(whole));
      return true;
    });
  }

  private CompletableFuture<Boolean> readDatagram(Link.End e) {
    return call(Wire.socketRead(e.handle, Link.RECORD_BYTES * 2), "zx_socket_read " + e).thenApply(r -> {
      ByteString d = r.getSocketRead().getBuffer();
      if (d.size() != Link.RECORD_BYTES) {
        e.link.check.unexpected("a datagram of " + d.size() + " bytes");
      } else {
        records(e.link, d);
      }
      return true;
    });
  }

  private static void records(Link link, ByteString bytes) {
    ByteBuffer b = bytes.asReadOnlyByteBuffer();
    while (b.remaining() >= Link.RECORD_BYTES) {
      long seq = b.getLong();
      long id = b.getLong();
      if (id != link.id) {
        link.check.unexpected("a record of link " + id);
      } else {
        link.check.received(seq);
      }
    }
  }

  private void hold(Link.End e) {
    held.add(e);
    holding = held.size();
  }

  private void drop(Link.End e) {
    held.remove(e);
    holding = held.size();
  }

  private void take(Link.End cargo, int handle) {
    cargo.handle = handle;
    cargo.holder = this;
    hold(cargo);
  }

  private void closeAll(List<HandleInfo> handles) {
    for (HandleInfo h : handles) {
      stream.call(Wire.close(h.getHandle()));
    }
  }

  private CompletableFuture<Boolean> accept(Link.End e) {
    Link.End cargo = e.link.parkedShare();
    return call(Wire.accept(e.handle), "zx_socket_accept " + e).thenApply(r -> {
      e.link.shareAccepted();
      take(cargo, r.getSocketAccept().getOutSocket());
      soak.shares.incrementAndGet();
      return true;
    });
  }

  private CompletableFuture<Boolean> redeem(Redeem t) {
    return call(Wire.redeem(t.info()), "socket_create_from_protocol_info " + t.cargo()).thenApply(r -> {
      t.carrier().tokenRedeemed();
      take(t.cargo(), r.getSocketCreateFromProtocolInfo().getOut());
      soak.tokens.incrementAndGet();
      return true;
    });
  }

  // ---- closing ----

  /** The other end is closed: the daemon must say PEER_CLOSED; then this end is closed too. */
  private CompletableFuture<Boolean> closeAfterPeer(Link.End e) {
    drop(e);
    return stream.call(Wire.signalsNow(e.handle, PEER_CLOSED)).thenCompose(r -> {
      if (r.getStatus() == Status.ZX_OK && (r.getObjectWaitOne().getObserved() & PEER_CLOSED) != 0) {
        soak.peerClosedSeen.incrementAndGet();
      } else {
        soak.peerClosedMissing(e + ": peer gone but signals " + r.getStatus() + " 0x"
            + Integer.toHexString(r.getObjectWaitOne().getObserved()));
      }
      return call(Wire.close(e.handle), "zx_handle_close " + e);
    }).thenApply(r -> {
      e.closed = true;
      soak.retired(e.link);
      return true;
    });
  }

  // ---- writing ----

  /** Null when the link has no room (or is closing). */
  private CompletableFuture<Boolean> write(Link.End e) {
    Link link = e.link;
    int[] n = new int[1];
    int max = link.kind == Link.Kind.STREAM ? 8 : 1;
    long first = link.reserve(max, soak.window, n);
    if (first < 0) {
      return null;
    }
    SyscallRequest.Builder req = link.kind == Link.Kind.CHANNEL ? Wire.write(e.handle, Wire.data(link.id, first))
        : Wire.socketWrite(e.handle, Wire.records(link.id, first, n[0]));
    return written(link, first, n[0], stream.call(req), "write " + e);
  }

  /** Completes the write of numbers [first, first+n): all must be taken (windows keep sockets far from full). */
  private CompletableFuture<Boolean> written(Link link, long first, int n, CompletableFuture<SyscallReply> f,
      String what) {
    return f.handle((r, t) -> {
      if (t != null || r.getStatus() != Status.ZX_OK) {
        link.written(first, n, 0);
        throw soak.protocolError(what + ": " + (t != null ? t : r.getStatus()));
      }
      if (link.isSocket() && r.getSocketWrite().getActual() != n * Link.RECORD_BYTES) {
        link.written(first, n, 0);
        throw soak.protocolError(what + ": short write " + r.getSocketWrite().getActual() + " of "
            + n * Link.RECORD_BYTES + " bytes with the socket nearly empty");
      }
      link.written(first, n, n);
      soak.writes.incrementAndGet();
      return true;
    });
  }

  // ---- moving ends ----

  /**
   * Hands one of its ends to another process: over a channel it writes (MOVE, or for a socket sometimes a
   * protocol-info token), or for a datagram socket over a stream socket it writes (socket_share). Null when no
   * move is possible now. A carrier's reader must be a process, not itself travelling: that is what keeps
   * ends from ending up inside their own queues (a cycle nobody could read).
   */
  private CompletableFuture<Boolean> tryMove() {
    int n = held.size();
    int start = random.nextInt(n);
    // Decisions are made under one lock: two processes each moving an rx end over the other's link at once
    // would otherwise make a cycle.
    synchronized (soak.moveLock) {
      for (int i = 0; i < n; i++) {
        Link.End carrier = held.get((start + i) % n);
        SoakProcess to = carrier.peer().holder;
        if (!carrier.tx || carrier.link.kind == Link.Kind.DATAGRAM || carrier.link.closing()
            || to == null || carrier.peer().closed || to.holding >= MAX_ENDS) {
          continue;
        }
        int j0 = random.nextInt(n);
        for (int j = 0; j < n; j++) {
          Link.End cargo = held.get((j0 + j) % n);
          if (cargo.link == carrier.link || !movable(cargo)) {
            continue;
          }
          if (carrier.link.kind == Link.Kind.STREAM) {
            if (cargo.link.kind == Link.Kind.DATAGRAM && carrier.link.offerShare(cargo)) {
              drop(cargo);
              cargo.holder = null;
              return share(carrier, cargo);
            }
            continue;
          }
          if (cargo.link.isSocket() && random.nextBoolean()) {
            if (carrier.link.claimToken()) {
              drop(cargo);
              return startToken(carrier, cargo, carrier.peer().holder);
            }
            continue;
          }
          long seq = carrier.link.reserveControlIfOpen();
          if (seq >= 0) {
            drop(cargo);
            cargo.holder = null;
            return moveOver(carrier, cargo, seq);
          }
        }
      }
    }
    return null;
  }

  private static boolean movable(Link.End e) {
    Link l = e.link;
    if (l.closing() || e.peer().closed) {
      return false;
    }
    // An rx end moves with its unread messages (they travel with it), but not mid-record or mid-transfer.
    return e.tx || (l.pendingShare() == null && l.tokensInFlight() == 0 && l.partial().isEmpty());
  }

  private CompletableFuture<Boolean> moveOver(Link.End carrier, Link.End cargo, long seq) {
    soak.moves.incrementAndGet();
    return written(carrier.link, seq, 1, stream.call(Wire.writeMove(carrier.handle,
        Wire.move(carrier.link.id, seq, cargo), cargo.handle, cargo.link.kind)), "write_etc MOVE " + cargo
        + " over " + carrier);
  }

  private CompletableFuture<Boolean> share(Link.End carrier, Link.End cargo) {
    return call(Wire.share(carrier.handle, cargo.handle), "zx_socket_share " + cargo + " over " + carrier)
        .thenApply(r -> {
          carrier.link.shareParked();
          return true;
        });
  }

  /** First half of a handover by token: WSADuplicateSocket for the carrier's reader. */
  private CompletableFuture<Boolean> startToken(Link.End carrier, Link.End cargo, SoakProcess target) {
    return call(Wire.duplicateFor(cargo.handle, target.pid), "socket_duplicate_for_process " + cargo)
        .thenApply(r -> {
          pendingToken = new PendingToken(carrier, cargo, r.getSocketDuplicateForProcess().getProtocolInfo());
          return true;
        });
  }

  /** Second half: close this process's handle and send the token to the reader. */
  private CompletableFuture<Boolean> sendToken() {
    PendingToken t = pendingToken;
    pendingToken = null;
    Link.End cargo = t.cargo();
    cargo.holder = null;
    CompletableFuture<SyscallReply> closed = call(Wire.close(cargo.handle), "zx_handle_close " + cargo);
    long seq = t.carrier().link.reserveControl();
    CompletableFuture<Boolean> sent = written(t.carrier().link, seq, 1, stream.call(Wire.write(
        t.carrier().handle, Wire.token(t.carrier().link.id, seq, cargo, t.info()))), "token for " + cargo);
    return closed.thenCombine(sent, (a, b) -> true);
  }

  // ---- plumbing ----

  /** One syscall that must succeed. */
  private CompletableFuture<SyscallReply> call(SyscallRequest.Builder req, String what) {
    return stream.call(req).thenApply(r -> {
      if (r.getStatus() != Status.ZX_OK) {
        throw soak.protocolError(what + ": " + r.getStatus() + (r.getError().isEmpty() ? "" : " " + r.getError()));
      }
      return r;
    });
  }

  @Override
  public String toString() {
    return name + " (pid " + pid + ")";
  }
}
