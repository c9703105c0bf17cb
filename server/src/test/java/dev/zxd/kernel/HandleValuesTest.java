package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static dev.zxd.kernel.KernelFixture.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Handle values: never 0, low two bits set, per process, not sequential, not reused soon. */
@ExtendWith(KernelExtension.class)
class HandleValuesTest {

  @Test
  void valuesAreNeverZeroAndHaveTheLowTwoBitsSet(KernelFixture f) {
    Process p = f.process();
    for (int i = 0; i < 500; i++) {
      int[] ch = f.channel(p);
      int ev = f.event(p);
      for (int v : new int[] {ch[0], ch[1], ev}) {
        assertNotEquals(0, v);
        assertEquals(3, v & 3, () -> "value " + hex(v));
      }
    }
  }

  @Test
  void valuesAreNotSequential(KernelFixture f) {
    Process p = f.process();
    int[] values = new int[64];
    for (int i = 0; i < values.length; i++) {
      values[i] = f.event(p);
    }
    Set<Integer> steps = new HashSet<>();
    int ascending = 0;
    for (int i = 1; i < values.length; i++) {
      steps.add(values[i] - values[i - 1]);
      if (Integer.compareUnsigned(values[i], values[i - 1]) > 0) {
        ascending++;
      }
    }
    assertTrue(steps.size() > values.length / 2, "steps between consecutive values vary: " + steps);
    assertTrue(ascending > 5 && ascending < values.length - 6, "neither increasing nor decreasing: " + ascending);
  }

  @Test
  void valuesAreNotReusedSoon(KernelFixture f) {
    Process p = f.process();
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 5000; i++) {
      int ev = f.event(p);
      assertTrue(seen.add(ev), () -> "value " + hex(ev) + " reused after " + seen.size() + " handles");
      f.close(p, ev);
    }
  }

  @Test
  void aValueFromOneProcessIsBadHandleInAnother(KernelFixture f) {
    Process p = f.process();
    Process q = f.process();
    int[] qCh = f.channel(q); // q has handles of its own, so "not found" is about the table, not emptiness
    int[] ch = f.channel(p);
    int ev = f.event(p);
    for (int v : new int[] {ch[0], ch[1], ev}) {
      if (q.handle(v) != null) {
        continue; // a 30-bit coincidence; the values are per process, not global
      }
      assertStatus(Status.ERR_BAD_HANDLE, f.kernel().handle().close(q, v));
      assertStatus(Status.ERR_BAD_HANDLE, f.kernel().handle().duplicate(q, v, Rights.SAME_RIGHTS).status());
      assertStatus(Status.ERR_BAD_HANDLE, f.kernel().object().signal(q, v, 0, Signals.USER_0));
      assertStatus(Status.ERR_BAD_HANDLE, f.read(q, v).status());
      assertStatus(Status.ERR_BAD_HANDLE, f.write(q, v, "x"));
      assertStatus(Status.ERR_BAD_HANDLE,
          f.kernel().object().getInfo(q, v, ObjectSyscalls.INFO_HANDLE_BASIC, 32).status());
    }
    f.assertValid(p, ch[0]);
    f.assertValid(p, ev);
    f.assertValid(q, qCh[0]);
  }

  @Test
  void processesNumberTheirHandlesDifferently(KernelFixture f) {
    Process p = f.process();
    Process q = f.process();
    int same = 0;
    for (int i = 0; i < 32; i++) {
      if (f.event(p) == f.event(q)) {
        same++;
      }
    }
    assertTrue(same < 4, "the n-th handle of two processes should not share a value: " + same + " of 32 did");
  }

  @Test
  void aReceivedHandleGetsAFreshValue(KernelFixture f) {
    Process p = f.process();
    int[] ch = f.channel(p);
    Set<Integer> used = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      int ev = f.event(p);
      used.add(ev);
      f.writeOk(p, ch[0], "", ev);
      int received = f.readOk(p, ch[1]).handles()[0];
      assertTrue(used.add(received), "value " + hex(received) + " was used before");
      f.close(p, received);
    }
  }
}
