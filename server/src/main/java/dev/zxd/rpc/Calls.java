package dev.zxd.rpc;

import dev.zxd.kernel.Process;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;

/** Small shared steps of the services: who is calling, and replying once from any thread. */
final class Calls {
  private Calls() {}

  /** The calling process (the session interceptor guarantees one for every session-bound method). */
  static Process caller() {
    return SessionInterceptor.PROCESS.get();
  }

  /** The calling process, or null for a call made without a session. */
  static Process callerOrNull() {
    return SessionInterceptor.PROCESS.get();
  }

  static <T> void reply(StreamObserver<T> observer, T reply) {
    observer.onNext(reply);
    observer.onCompleted();
  }

  /**
   * Replies to a call that completes later (a wait), from whatever thread completes it. The client may have
   * gone away in the meantime; then there is nobody to tell.
   */
  static <T> void replyLater(StreamObserver<T> observer, T reply) {
    try {
      observer.onNext(reply);
      observer.onCompleted();
    } catch (IllegalStateException | io.grpc.StatusRuntimeException gone) {
      // Canceled or already closed.
    }
  }

  /**
   * Starts a kernel wait tied to the gRPC call: if the client cancels (even before {@code start} has returned),
   * the wait is abandoned and its observer removed.
   */
  static void startCancelable(StreamObserver<?> observer, java.util.function.Supplier<Runnable> start) {
    CancelLink link = new CancelLink();
    ((ServerCallStreamObserver<?>) observer).setOnCancelHandler(link::cancel);
    link.bind(start.get());
  }

  /** Connects a gRPC cancellation to a kernel abandon action that may not exist yet. */
  private static final class CancelLink {
    private Runnable abandon;
    private boolean canceled;

    synchronized void bind(Runnable action) {
      if (canceled) {
        action.run();
      } else {
        abandon = action;
      }
    }

    synchronized void cancel() {
      canceled = true;
      if (abandon != null) {
        abandon.run();
      }
    }
  }

  /**
   * A buffer capacity or element count from a {@code uint32} field: the wire value is unsigned, so anything
   * beyond Integer.MAX_VALUE is as good as Integer.MAX_VALUE (no buffer that large is ever filled).
   */
  static int capacity(int unsigned) {
    return (int) Math.min(Integer.MAX_VALUE, Integer.toUnsignedLong(unsigned));
  }

  static int[] toArray(List<Integer> values) {
    int[] out = new int[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }

  static Iterable<Integer> boxed(int[] values) {
    return () -> java.util.Arrays.stream(values).iterator();
  }
}
