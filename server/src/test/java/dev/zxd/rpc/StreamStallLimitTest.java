package dev.zxd.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zxd.kernel.Kernel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StreamStallLimitTest {
  private final Kernel kernel = new Kernel();
  private final AtomicInteger stalls = new AtomicInteger();

  @AfterEach
  void close() {
    kernel.close();
  }

  private StreamStallLimit.Watch watch(Duration limit) {
    return new StreamStallLimit(kernel, limit).watch(() -> false, stalls::incrementAndGet);
  }

  @Test
  void aStreamThatBlocksAndReadsOverAndOverKeepsOneTimer() {
    int before = kernel.timers().pending();
    StreamStallLimit.Watch w = watch(Duration.ofHours(1));
    for (int i = 0; i < 1000; i++) {
      w.blocked();
      w.progressed();
    }
    assertEquals(before + 1, kernel.timers().pending(), "one timer, not one per block");
    w.close();
    assertEquals(before, kernel.timers().pending(), "closing the stream drops it");
  }

  @Test
  void aStreamBlockedForTheWholeLimitIsEndedOnce() {
    StreamStallLimit.Watch w = watch(Duration.ofMillis(50));
    w.blocked();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> stalls.get() == 1);
    w.blocked();
    assertEquals(1, stalls.get());
  }

  @Test
  void aStreamThatReadBeforeTheLimitIsNotEnded() {
    int before = kernel.timers().pending();
    StreamStallLimit.Watch w = watch(Duration.ofMillis(50));
    w.blocked();
    w.progressed();
    // The timer fires, finds the stream not blocked, and sets no other.
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> kernel.timers().pending() == before);
    assertEquals(0, stalls.get());
    w.blocked(); // a new block starts a new clock
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> stalls.get() == 1);
  }

  @Test
  void aStreamBlockedAgainAfterReadingIsEndedWhenTheNewBlockRunsOut() {
    int before = kernel.timers().pending();
    StreamStallLimit.Watch w = watch(Duration.ofMillis(200));
    w.blocked();
    w.progressed();
    w.blocked(); // the pending timer stays, and is set again for this block if it fires early for it
    assertEquals(before + 1, kernel.timers().pending());
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> stalls.get() == 1);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> kernel.timers().pending() == before);
    assertEquals(1, stalls.get(), "ended once, with no timer left behind");
  }
}
