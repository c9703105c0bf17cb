package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static dev.zxd.kernel.VmoTest.PAGE;
import static dev.zxd.kernel.VmoTest.pattern;
import static dev.zxd.kernel.VmoTest.read;
import static dev.zxd.kernel.VmoTest.vmo;
import static dev.zxd.kernel.VmoTest.write;
import static dev.zxd.kernel.VmoTest.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** VMO pages are charged to the kernel's memory budget when first written; running out is NO_MEMORY. */
@ExtendWith(KernelExtension.class)
@KernelExtension.WithConfig("fourPages")
class VmoMemoryBudgetTest {
  private static final long BUDGET = 4L * PAGE;

  static KernelConfig fourPages() {
    return KernelConfig.DEFAULTS.withMemoryBudgetBytes(BUDGET);
  }

  private static long used(KernelFixture f) {
    return f.kernel().memory().used();
  }

  private static long committed(KernelFixture f, Process p, int h) {
    return ((Vmo) f.object(p, h)).committedBytes();
  }

  @Test
  void theConfiguredBudgetIsTheKernels(KernelFixture f) {
    assertEquals(BUDGET, f.kernel().memory().limit());
    assertEquals(0, used(f));
  }

  @Test
  void creatingAndReadingCostNothing(KernelFixture f) {
    Process p = f.process();
    // Far more than the budget, as long as nothing is written.
    int h = vmo(f, p, 100L * PAGE, 0);
    read(f, p, h, 0, 100 * PAGE);
    assertEquals(0, used(f));
    assertEquals(0, committed(f, p, h));
  }

  @Test
  void firstWriteToAPageChargesOnePage(KernelFixture f) {
    Process p = f.process();
    int h = vmo(f, p, 8L * PAGE, 0);
    write(f, p, h, 10, ByteString.copyFrom(new byte[] {1}));
    assertEquals(PAGE, used(f));
    write(f, p, h, 20, ByteString.copyFrom(new byte[] {2}));
    assertEquals(PAGE, used(f), "the same page again costs nothing");
    write(f, p, h, PAGE - 1, pattern(2, 9)); // straddles into page 1
    assertEquals(2L * PAGE, used(f));
    assertEquals(2L * PAGE, committed(f, p, h));
    write(f, p, h, 3 * PAGE, ByteString.EMPTY);
    assertEquals(2L * PAGE, used(f), "an empty write commits nothing");
  }

  @Test
  void writeBeyondTheBudgetIsNoMemoryAndChangesNothing(KernelFixture f) {
    Process p = f.process();
    int h = vmo(f, p, 8L * PAGE, 0);
    ByteString first = pattern(3 * PAGE, 1);
    write(f, p, h, 0, first);
    assertEquals(3L * PAGE, used(f));
    // Pages 2 (committed) to 4 (two new ones): one page over the budget. Nothing may be written, not even
    // into the committed page.
    ByteString second = pattern(2 * PAGE + 100, 50);
    assertStatus(Status.ERR_NO_MEMORY, f.kernel().vmo().write(p, h, 3 * PAGE - 100, second));
    assertEquals(3L * PAGE, used(f));
    assertEquals(3L * PAGE, committed(f, p, h));
    assertEquals(first, read(f, p, h, 0, 3 * PAGE), "the committed pages are unchanged");
    assertEquals(zeros(2 * PAGE), read(f, p, h, 3 * PAGE, 2 * PAGE));
    // Exactly the budget still fits.
    write(f, p, h, 3 * PAGE, pattern(PAGE, 2));
    assertEquals(BUDGET, used(f));
    assertStatus(Status.ERR_NO_MEMORY, f.kernel().vmo().write(p, h, 4 * PAGE, ByteString.copyFrom(new byte[1])));
    // Rewriting committed pages needs no more memory.
    write(f, p, h, 0, pattern(4 * PAGE, 3));
    assertEquals(pattern(4 * PAGE, 3), read(f, p, h, 0, 4 * PAGE));
  }

  @Test
  void theBudgetIsSharedByAllVmos(KernelFixture f) {
    Process a = f.process();
    Process b = f.process();
    int va = vmo(f, a, 4L * PAGE, 0);
    int vb = vmo(f, b, 4L * PAGE, 0);
    write(f, a, va, 0, pattern(3 * PAGE, 1));
    write(f, b, vb, 0, pattern(PAGE, 2));
    assertStatus(Status.ERR_NO_MEMORY, f.kernel().vmo().write(b, vb, PAGE, pattern(1, 3)));
    assertStatus(Status.ERR_NO_MEMORY, f.kernel().vmo().write(a, va, 3 * PAGE, pattern(1, 3)));
    f.close(a, va);
    assertEquals(PAGE, used(f), "closing a VMO gives its pages back");
    write(f, b, vb, PAGE, pattern(3 * PAGE, 4));
    assertEquals(BUDGET, used(f));
  }

  @Test
  void shrinkingGivesPagesBack(KernelFixture f) {
    Process p = f.process();
    int h = vmo(f, p, 4L * PAGE, Vmo.RESIZABLE);
    write(f, p, h, 0, pattern(4 * PAGE, 1));
    assertEquals(BUDGET, used(f));
    assertStatus(Status.OK, f.kernel().vmo().setSize(p, h, PAGE));
    assertEquals(PAGE, used(f));
    assertStatus(Status.OK, f.kernel().vmo().setSize(p, h, 4 * PAGE));
    assertEquals(PAGE, used(f), "growing commits nothing");
    write(f, p, h, PAGE, pattern(3 * PAGE, 2));
    assertEquals(BUDGET, used(f));
    assertStatus(Status.OK, f.kernel().vmo().setSize(p, h, 0));
    assertEquals(0, used(f));
  }

  @Test
  void processDeathGivesPagesBack(KernelFixture f) {
    Process p = f.process();
    int h = vmo(f, p, 4L * PAGE, 0);
    write(f, p, h, 0, pattern(2 * PAGE, 1));
    assertEquals(2L * PAGE, used(f));
    p.kill(Process.RETCODE_KILLED);
    assertEquals(0, used(f));
  }

  @Test
  void concurrentWritersNeverOverspend(KernelFixture f) throws Exception {
    Process p = f.process();
    int threads = 8;
    int[] vmos = new int[threads];
    for (int i = 0; i < threads; i++) {
      vmos[i] = vmo(f, p, 4L * PAGE, 0);
    }
    int[] ok = new int[threads];
    Thread[] ts = new Thread[threads];
    for (int i = 0; i < threads; i++) {
      int me = i;
      ts[i] = new Thread(() -> {
        for (int page = 0; page < 4; page++) {
          if (f.kernel().vmo().write(p, vmos[me], (long) page * PAGE, pattern(1, me)) == Status.OK) {
            ok[me]++;
          }
        }
      });
    }
    for (Thread t : ts) {
      t.start();
    }
    for (Thread t : ts) {
      t.join(5000);
    }
    int total = 0;
    long committed = 0;
    for (int i = 0; i < threads; i++) {
      total += ok[i];
      committed += committed(f, p, vmos[i]);
    }
    assertEquals(4, total, "exactly four one-page writes fit");
    assertEquals(BUDGET, used(f));
    assertEquals(BUDGET, committed);
  }
}
