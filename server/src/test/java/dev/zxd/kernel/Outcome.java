package dev.zxd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The completion callback a waiting syscall is given (wait_one, wait_many, call, whenStarted), turned into
 * something a test can wait on with a bound. Counts how often it was called: the kernel must complete a wait
 * exactly once.
 */
final class Outcome<T> implements Consumer<T> {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  private final CompletableFuture<T> future = new CompletableFuture<>();
  private final AtomicInteger calls = new AtomicInteger();

  @Override
  public void accept(T value) {
    calls.incrementAndGet();
    future.complete(value);
  }

  boolean isDone() {
    return future.isDone();
  }

  int calls() {
    return calls.get();
  }

  /** The result, waiting at most {@link #DEFAULT_TIMEOUT}; fails the test if it does not come. */
  T get() {
    return get(DEFAULT_TIMEOUT);
  }

  T get(Duration timeout) {
    try {
      T value = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      assertEquals(1, calls.get(), "completion callback called more than once");
      return value;
    } catch (TimeoutException e) {
      return fail("no completion within " + timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted");
    } catch (ExecutionException e) {
      return fail(e.getCause());
    }
  }

  /** The result if it has already come (the syscall completed before returning); fails otherwise. */
  T now() {
    if (!future.isDone()) {
      fail("expected the syscall to have completed synchronously");
    }
    return get();
  }
}
