package dev.zxd.client;

import dev.zxd.proto.v1.ChannelCreateReply;
import dev.zxd.proto.v1.ChannelCreateRequest;
import dev.zxd.proto.v1.EventCreateReply;
import dev.zxd.proto.v1.EventCreateRequest;
import dev.zxd.proto.v1.EventPairCreateReply;
import dev.zxd.proto.v1.EventPairCreateRequest;
import dev.zxd.proto.v1.FifoCreateReply;
import dev.zxd.proto.v1.FifoCreateRequest;
import dev.zxd.proto.v1.ObjType;
import dev.zxd.proto.v1.PortCreateReply;
import dev.zxd.proto.v1.PortCreateRequest;
import dev.zxd.proto.v1.TimerCreateReply;
import dev.zxd.proto.v1.TimerCreateRequest;
import dev.zxd.proto.v1.VmoCreateReply;
import dev.zxd.proto.v1.VmoCreateRequest;
import dev.zxd.proto.v1.ProcessAttachReply;
import dev.zxd.proto.v1.ProcessAttachRequest;
import dev.zxd.proto.v1.ProcessCreateReply;
import dev.zxd.proto.v1.ProcessCreateRequest;
import dev.zxd.proto.v1.ProcessExitRequest;
import dev.zxd.proto.v1.ProcessKeepAliveReply;
import dev.zxd.proto.v1.ProcessKeepAliveRequest;
import dev.zxd.proto.v1.SocketCreateFromProtocolInfoReply;
import dev.zxd.proto.v1.SocketCreateFromProtocolInfoRequest;
import dev.zxd.proto.v1.SocketCreateReply;
import dev.zxd.proto.v1.SocketCreateRequest;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Being one process of the simulated system. Holds the session (token and KeepAlive stream, managed for you)
 * and makes objects; the objects' own syscalls are on the typed handles it returns. {@link #close()} exits.
 */
public final class ZxProcess implements AutoCloseable {
  /** What a started process finds: its id, name, and the handle its parent passed to Start (or null). */
  public record StartupInfo(long processId, String name, Handle arg1) {}

  private final Zxd zxd;
  private final String sessionToken;
  private final Stubs stubs;
  private final long koid;
  private final CompletableFuture<Long> terminated = new CompletableFuture<>();
  private final Context.CancellableContext keepAliveContext = Context.current().withCancellation();
  private volatile boolean ownsConnection;

  ZxProcess(Zxd zxd, long koid, String sessionToken) {
    this.zxd = zxd;
    this.sessionToken = sessionToken;
    this.stubs = new Stubs(zxd.grpcChannel(), sessionToken);
    this.koid = openKeepAlive(koid);
  }

  /** Opens the KeepAlive stream and waits for its first message, which also proves the token is good. */
  private long openKeepAlive(long knownKoid) {
    CompletableFuture<Long> first = new CompletableFuture<>();
    keepAliveContext.run(() -> stubs.processAsync.keepAlive(ProcessKeepAliveRequest.getDefaultInstance(),
        new StreamObserver<ProcessKeepAliveReply>() {
          @Override
          public void onNext(ProcessKeepAliveReply reply) {
            first.complete(reply.getProcessId());
            if (reply.getTerminated()) {
              terminated.complete(reply.getReturnCode());
            }
          }

          @Override
          public void onError(Throwable t) {
            first.completeExceptionally(t);
            terminated.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            terminated.complete(0L);
          }
        }));
    try {
      return first.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException sre) {
        throw sre;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("no KeepAlive answer from the daemon in 30 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The process this program was launched as, by the launch convention of docs/polyglot.md: the daemon's
   * address in ZXD_TARGET (default 127.0.0.1:7474) and the process's session token in ZXD_SESSION. The
   * connection is the process's own: {@link #close()} closes it too.
   */
  public static ZxProcess fromEnvironment() {
    String token = System.getenv("ZXD_SESSION");
    if (token == null || token.isBlank()) {
      throw new IllegalStateException("ZXD_SESSION is not set: this program was not launched as a zxd process");
    }
    String target = System.getenv().getOrDefault("ZXD_TARGET", Zxd.DEFAULT_TARGET);
    Zxd zxd = Zxd.connect(target);
    try {
      ZxProcess p = zxd.attach(token);
      p.ownsConnection = true;
      return p;
    } catch (RuntimeException e) {
      zxd.close();
      throw e;
    }
  }

  public long koid() {
    return koid;
  }

  /** The secret that makes a client this process. Hand it only to the client that should become it. */
  public String sessionToken() {
    return sessionToken;
  }

  /** The raw generated stubs, carrying this process's session: every syscall, status codes as values. */
  public Stubs stubs() {
    return stubs;
  }

  public Zxd zxd() {
    return zxd;
  }

  /**
   * A new syscall stream of this process (Kernel/Invoke): futures for every syscall, and pipelined batches.
   * Close it when done.
   */
  public SyscallStream stream() {
    return new SyscallStream(stubs.sessionChannel());
  }

  /** Completes with the return code when the process dies (exit, kill, or lease expiry). */
  public CompletableFuture<Long> terminated() {
    return terminated;
  }

  /** A deadline {@code d} from now on the daemon's monotonic clock. */
  public long deadlineAfter(Duration d) {
    return zxd.deadlineAfter(d);
  }

  // ---- making objects ----

  /** zx_channel_create. */
  public Channel.Pair createChannel() {
    ChannelCreateReply r = stubs.channel.create(ChannelCreateRequest.getDefaultInstance());
    ZxException.check(r.getStatus(), "zx_channel_create");
    return new Channel.Pair(new Channel(this, r.getOut0()), new Channel(this, r.getOut1()));
  }

  /** zx_event_create. */
  public Event createEvent() {
    EventCreateReply r = stubs.event.create(EventCreateRequest.getDefaultInstance());
    ZxException.check(r.getStatus(), "zx_event_create");
    return new Event(this, r.getOut());
  }

  /** zx_eventpair_create. */
  public EventPair.Pair createEventPair() {
    EventPairCreateReply r = stubs.eventPair.create(EventPairCreateRequest.getDefaultInstance());
    ZxException.check(r.getStatus(), "zx_eventpair_create");
    return new EventPair.Pair(new EventPair(this, r.getOut0()), new EventPair(this, r.getOut1()));
  }

  /** zx_socket_create with ZX_SOCKET_STREAM / DATAGRAM, optionally | HAS_CONTROL | HAS_ACCEPT. */
  public Socket.Pair createSocket(int options) {
    SocketCreateReply r = stubs.socket.create(SocketCreateRequest.newBuilder().setOptions(options).build());
    ZxException.check(r.getStatus(), "zx_socket_create");
    return new Socket.Pair(new Socket(this, r.getOut0()), new Socket(this, r.getOut1()));
  }

  /** zx_port_create. */
  public Port createPort() {
    PortCreateReply r = stubs.port.create(PortCreateRequest.getDefaultInstance());
    ZxException.check(r.getStatus(), "zx_port_create");
    return new Port(this, r.getOut());
  }

  /** zx_timer_create with the given slack option on ZX_CLOCK_MONOTONIC. */
  public Timer createTimer(int slackOption) {
    TimerCreateReply r = stubs.timer.create(TimerCreateRequest.newBuilder().setOptions(slackOption).build());
    ZxException.check(r.getStatus(), "zx_timer_create");
    return new Timer(this, r.getOut());
  }

  /** zx_vmo_create. */
  public Vmo createVmo(long size, int options) {
    VmoCreateReply r = stubs.vmo.create(VmoCreateRequest.newBuilder().setSize(size).setOptions(options).build());
    ZxException.check(r.getStatus(), "zx_vmo_create");
    return new Vmo(this, r.getOut());
  }

  /** zx_fifo_create. */
  public Fifo.Pair createFifo(int elemCount, int elemSize) {
    FifoCreateReply r = stubs.fifo.create(FifoCreateRequest.newBuilder().setElemCount(elemCount)
        .setElemSize(elemSize).build());
    ZxException.check(r.getStatus(), "zx_fifo_create");
    return new Fifo.Pair(new Fifo(this, r.getOut0(), elemSize), new Fifo(this, r.getOut1(), elemSize));
  }

  /** WSASocket(FROM_PROTOCOL_INFO): redeems a token addressed to this process, once. */
  public Socket socketFromProtocolInfo(ProtocolInfo info) {
    SocketCreateFromProtocolInfoReply r = stubs.socket.createFromProtocolInfo(
        SocketCreateFromProtocolInfoRequest.newBuilder().setProtocolInfo(info.toProto()).build());
    ZxException.check(r.getStatus(), "socket_create_from_protocol_info");
    return new Socket(this, r.getOut());
  }

  /**
   * zx_process_create from inside this process: a child (not started) whose token you hand to the client that
   * will be it, and a handle to it for Start, waiting and Kill.
   */
  public ProcessHandle.Child createChild(String name) {
    ProcessCreateReply r = stubs.process.create(ProcessCreateRequest.newBuilder().setName(name).build());
    ZxException.check(r.getStatus(), "zx_process_create");
    return new ProcessHandle.Child(new ProcessHandle(this, r.getProcHandle()), r.getProcessId(),
        r.getSessionToken());
  }

  /** Wraps a raw handle value of this process (for values received some other way). */
  public Handle handle(int value) {
    return new Handle(this, value);
  }

  /** A handle value of this process as the right typed class for {@code type} (ZX_OBJ_TYPE_*). */
  Handle wrap(int value, int type) {
    switch (type) {
      case ObjType.ZX_OBJ_TYPE_CHANNEL_VALUE:
        return new Channel(this, value);
      case ObjType.ZX_OBJ_TYPE_EVENT_VALUE:
        return new Event(this, value);
      case ObjType.ZX_OBJ_TYPE_EVENTPAIR_VALUE:
        return new EventPair(this, value);
      case ObjType.ZX_OBJ_TYPE_PROCESS_VALUE:
        return new ProcessHandle(this, value);
      case ObjType.ZX_OBJ_TYPE_SOCKET_VALUE:
        return new Socket(this, value);
      case ObjType.ZX_OBJ_TYPE_PORT_VALUE:
        return new Port(this, value);
      case ObjType.ZX_OBJ_TYPE_TIMER_VALUE:
        return new Timer(this, value);
      case ObjType.ZX_OBJ_TYPE_VMO_VALUE:
        return new Vmo(this, value);
      default:
        return new Handle(this, value);
    }
  }

  /** Waits until this process is started and returns what it starts with (at once for top-level ones). */
  public StartupInfo startupInfo() {
    ProcessAttachReply r = stubs.process.attach(ProcessAttachRequest.getDefaultInstance());
    ZxException.check(r.getStatus(), "process_attach");
    return new StartupInfo(r.getProcessId(), r.getName(), r.getArg1() == 0 ? null : handle(r.getArg1()));
  }

  // ---- ending ----

  /** zx_process_exit: every handle this process holds is closed; peers see PEER_CLOSED. */
  public void exit(long retcode) {
    if (terminated.isDone()) {
      return;
    }
    try {
      stubs.process.exit(ProcessExitRequest.newBuilder().setRetcode(retcode).build());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != io.grpc.Status.Code.UNAUTHENTICATED) {
        throw e; // UNAUTHENTICATED: already dead
      }
    }
    keepAliveContext.cancel(null);
  }

  /** Exits with 0 if still alive. The connection ({@link Zxd}) stays open unless this process owns it. */
  @Override
  public void close() {
    try {
      exit(0);
    } finally {
      if (ownsConnection) {
        zxd.close();
      }
    }
  }

  /** Drops the KeepAlive stream without exiting, as a crashed client would; for tests of the grace period. */
  public void abandon() {
    keepAliveContext.cancel(null);
  }
}
