package dev.zxd.client;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import dev.zxd.proto.v1.HandleCloseRequest;
import dev.zxd.proto.v1.HandleDuplicateReply;
import dev.zxd.proto.v1.HandleDuplicateRequest;
import dev.zxd.proto.v1.HandleReplaceReply;
import dev.zxd.proto.v1.HandleReplaceRequest;
import dev.zxd.proto.v1.InfoHandleBasic;
import dev.zxd.proto.v1.InfoTopic;
import dev.zxd.proto.v1.ObjectGetInfoReply;
import dev.zxd.proto.v1.ObjectGetInfoRequest;
import dev.zxd.proto.v1.ObjectSignalPeerReply;
import dev.zxd.proto.v1.ObjectSignalPeerRequest;
import dev.zxd.proto.v1.ObjectSignalReply;
import dev.zxd.proto.v1.ObjectSignalRequest;
import dev.zxd.proto.v1.ObjectWaitAsyncRequest;
import dev.zxd.proto.v1.ObjectWaitOneReply;
import dev.zxd.proto.v1.ObjectWaitOneRequest;
import dev.zxd.proto.v1.Right;
import dev.zxd.proto.v1.Status;
import java.util.concurrent.CompletableFuture;

/**
 * A handle value of one process, with the syscalls every object has. A handle given away (written into a
 * channel, replaced, closed) reads as value 0 afterwards: using it again is BAD_HANDLE, as in Zircon.
 */
public class Handle implements AutoCloseable {
  /** ZX_TIME_INFINITE. */
  public static final long INFINITE = Long.MAX_VALUE;

  protected final ZxProcess process;
  private volatile int value;

  Handle(ZxProcess process, int value) {
    this.process = process;
    this.value = value;
  }

  public int value() {
    return value;
  }

  public ZxProcess process() {
    return process;
  }

  /** Marks the value as no longer ours (moved into a message, replaced, closed). */
  int release() {
    int v = value;
    value = 0;
    return v;
  }

  /** zx_handle_close. Closing twice is harmless (the second closes ZX_HANDLE_INVALID, a no-op). */
  @Override
  public void close() {
    int v = release();
    ZxException.check(process.stubs().handle.close(HandleCloseRequest.newBuilder().setHandle(v).build())
        .getStatus(), "zx_handle_close");
  }

  /** zx_handle_duplicate; {@code rights} a subset, or {@link Right#ZX_RIGHT_SAME_RIGHTS_VALUE}. */
  public Handle duplicate(int rights) {
    HandleDuplicateReply r = process.stubs().handle.duplicate(
        HandleDuplicateRequest.newBuilder().setHandle(value).setRights(rights).build());
    ZxException.check(r.getStatus(), "zx_handle_duplicate");
    return rewrap(r.getOut());
  }

  /** zx_handle_replace: this handle is consumed (even on failure); the new one is returned. */
  public Handle replace(int rights) {
    int v = release();
    HandleReplaceReply r = process.stubs().handle.replace(
        HandleReplaceRequest.newBuilder().setHandle(v).setRights(rights).build());
    ZxException.check(r.getStatus(), "zx_handle_replace");
    return rewrap(r.getOut());
  }

  /**
   * This same handle value viewed as a typed handle ({@code Channel.class}, {@code Event.class}, ...), for a
   * value whose type you know (a bootstrap handle, a handle read with plain {@link Channel#read()}).
   * No syscall is made; a wrong guess shows up as WRONG_TYPE on first use.
   */
  public <T extends Handle> T as(Class<T> type) {
    Handle typed;
    if (type == Channel.class) {
      typed = new Channel(process, value);
    } else if (type == Event.class) {
      typed = new Event(process, value);
    } else if (type == EventPair.class) {
      typed = new EventPair(process, value);
    } else if (type == ProcessHandle.class) {
      typed = new ProcessHandle(process, value);
    } else if (type == Socket.class) {
      typed = new Socket(process, value);
    } else if (type == Port.class) {
      typed = new Port(process, value);
    } else if (type == Timer.class) {
      typed = new Timer(process, value);
    } else if (type == Vmo.class) {
      typed = new Vmo(process, value);
    } else {
      typed = new Handle(process, value);
    }
    return type.cast(typed);
  }

  /** A new handle value of the same object, as the same typed class. */
  protected Handle rewrap(int newValue) {
    return new Handle(process, newValue);
  }

  /** ZX_INFO_HANDLE_BASIC. */
  public InfoHandleBasic basicInfo() {
    ObjectGetInfoReply r = process.stubs().object.getInfo(ObjectGetInfoRequest.newBuilder().setHandle(value)
        .setTopic(InfoTopic.ZX_INFO_HANDLE_BASIC_VALUE).setBufferSize(32).build());
    ZxException.check(r.getStatus(), "zx_object_get_info");
    return r.getHandleBasic();
  }

  public long koid() {
    return basicInfo().getKoid();
  }

  public int rights() {
    return basicInfo().getRights();
  }

  /** ZX_INFO_HANDLE_COUNT. */
  public int handleCount() {
    ObjectGetInfoReply r = process.stubs().object.getInfo(ObjectGetInfoRequest.newBuilder().setHandle(value)
        .setTopic(InfoTopic.ZX_INFO_HANDLE_COUNT_VALUE).setBufferSize(4).build());
    ZxException.check(r.getStatus(), "zx_object_get_info");
    return r.getHandleCount().getHandleCount();
  }

  /** zx_object_signal. */
  public void signal(int clearMask, int setMask) {
    ObjectSignalReply r = process.stubs().object.signal(ObjectSignalRequest.newBuilder()
        .setHandle(value).setClearMask(clearMask).setSetMask(setMask).build());
    ZxException.check(r.getStatus(), "zx_object_signal");
  }

  /** zx_object_signal_peer. */
  public void signalPeer(int clearMask, int setMask) {
    ObjectSignalPeerReply r = process.stubs().object.signalPeer(ObjectSignalPeerRequest.newBuilder()
        .setHandle(value).setClearMask(clearMask).setSetMask(setMask).build());
    ZxException.check(r.getStatus(), "zx_object_signal_peer");
  }

  /**
   * zx_object_wait_one: returns the signals observed once any of {@code signals} is asserted. TIMED_OUT and
   * CANCELED are thrown as {@link ZxException} (with the status).
   */
  public int waitOne(int signals, long deadline) {
    ObjectWaitOneReply r = process.stubs().object.waitOne(ObjectWaitOneRequest.newBuilder()
        .setHandle(value).setSignals(signals).setDeadline(deadline).build());
    ZxException.check(r.getStatus(), "zx_object_wait_one");
    return r.getObserved();
  }

  /**
   * zx_object_wait_async: when any of {@code signals} is asserted, one packet with {@code key} is queued on
   * {@code port}. {@code options}: ZX_WAIT_ASYNC_ONCE (0), TIMESTAMP, EDGE.
   */
  public void waitAsync(Port port, long key, int signals, int options) {
    ZxException.check(process.stubs().object.waitAsync(ObjectWaitAsyncRequest.newBuilder().setHandle(value)
        .setPort(port.value()).setKey(key).setSignals(signals).setOptions(options).build()).getStatus(),
        "zx_object_wait_async");
  }

  /** The current signals (a wait for nothing with a past deadline, as Zircon programs do). */
  public int signals() {
    ObjectWaitOneReply r = process.stubs().object.waitOne(ObjectWaitOneRequest.newBuilder()
        .setHandle(value).setSignals(0).setDeadline(0).build());
    if (r.getStatus() != Status.ZX_ERR_TIMED_OUT && r.getStatus() != Status.ZX_OK) {
      throw new ZxException(r.getStatus(), "zx_object_wait_one");
    }
    return r.getObserved();
  }

  /** zx_object_wait_one without blocking a thread: the future completes with the observed signals. */
  public CompletableFuture<Integer> waitOneAsync(int signals, long deadline) {
    ListenableFuture<ObjectWaitOneReply> f = process.stubs().objectAsync.waitOne(ObjectWaitOneRequest
        .newBuilder().setHandle(value).setSignals(signals).setDeadline(deadline).build());
    CompletableFuture<Integer> out = new CompletableFuture<>();
    Futures.addCallback(f, new FutureCallback<>() {
      @Override
      public void onSuccess(ObjectWaitOneReply r) {
        if (r.getStatus() == Status.ZX_OK) {
          out.complete(r.getObserved());
        } else {
          out.completeExceptionally(new ZxException(r.getStatus(), "zx_object_wait_one"));
        }
      }

      @Override
      public void onFailure(Throwable t) {
        out.completeExceptionally(t);
      }
    }, MoreExecutors.directExecutor());
    out.whenComplete((v, t) -> {
      if (out.isCancelled()) {
        f.cancel(true);
      }
    });
    return out;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "(0x" + Integer.toHexString(value) + ")";
  }
}
