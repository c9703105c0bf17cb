package dev.zxd.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zxd.kernel.Status;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OutcomesTest {

  @Test
  void remembersOutputsOfCompletedRequests() {
    Outcomes o = new Outcomes(8);
    long t = o.admit(7);
    String[] why = new String[1];
    assertEquals(0, o.output(7, 0, 0, why));
    assertTrue(why[0].contains("has not completed"), why[0]);
    o.complete(t, Status.OK, new int[] {0x13, 0x17, 0x1b});
    assertEquals(0x13, o.output(7, 0, 0, why));
    assertEquals(0x17, o.output(7, 1, 0, why));
    assertEquals(0x1b, o.output(7, 2, 0, why));
    assertEquals(0, o.output(7, 3, 0, why));
    assertTrue(why[0].contains("which has 3"), why[0]);
    assertEquals(0, o.output(8, 0, 2, why));
    assertTrue(why[0].contains("refs[2] names request 8, unknown"), why[0]);
  }

  @Test
  void failedRequestsHaveNoOutputs() {
    Outcomes o = new Outcomes(8);
    o.complete(o.admit(1), Status.ERR_ACCESS_DENIED, SyscallRoutes.EMPTY);
    String[] why = new String[1];
    assertEquals(0, o.output(1, 0, 0, why));
    assertTrue(why[0].contains("failed with ZX_ERR_ACCESS_DENIED"), why[0]);
  }

  @Test
  void forgetsTheOldestBeyondTheLimitAndDropsTheirLateCompletions() {
    Outcomes o = new Outcomes(4);
    long first = o.admit(100);
    for (long id = 101; id <= 104; id++) {
      o.complete(o.admit(id), Status.OK, new int[] {(int) id});
    }
    assertEquals(Outcomes.UNKNOWN, o.find(100));
    assertFalse(o.remembered(first));
    o.complete(first, Status.OK, new int[] {1}); // must not land on the entry that took its slot
    assertEquals(101, o.output(101, 0, 0, new String[1]));
    assertEquals(104, o.output(104, 0, 0, new String[1]));
  }

  @Test
  void aReusedIdNamesItsNewestRequest() {
    Outcomes o = new Outcomes(4);
    o.complete(o.admit(5), Status.OK, new int[] {0x10});
    long second = o.admit(5);
    assertEquals(second, o.find(5));
    assertFalse(o.isDone(second));
    // The older entry is forgotten first; the newer one must stay findable.
    o.admit(6);
    o.admit(7);
    o.admit(8);
    assertEquals(second, o.find(5));
    o.admit(9);
    assertEquals(Outcomes.UNKNOWN, o.find(5));
  }

  @Test
  void sequentialIdsNeedNoIndexAndAJumpKeepsEverythingFindable() {
    Outcomes o = new Outcomes(64);
    for (long id = 1000; id < 1100; id++) {
      o.complete(o.admit(id), Status.OK, new int[] {(int) id * 4 + 3});
    }
    assertEquals(Outcomes.UNKNOWN, o.find(1035));
    assertEquals(Outcomes.UNKNOWN, o.find(999));
    assertEquals(Outcomes.UNKNOWN, o.find(1100));
    assertEquals(1036 * 4 + 3, o.output(1036, 0, 0, new String[1]));
    long jump = o.admit(5); // out of sequence: from now on through the index
    assertEquals(jump, o.find(5));
    assertEquals(Outcomes.UNKNOWN, o.find(1036)); // the jump's admission forgot the oldest
    assertEquals(1037 * 4 + 3, o.output(1037, 0, 0, new String[1]));
    assertEquals(1099 * 4 + 3, o.output(1099, 0, 0, new String[1]));
  }

  @Test
  void agreesWithAMapModelWithRandomIds() {
    agreesWithAMapModel(false);
  }

  @Test
  void agreesWithAMapModelWithMostlySequentialIds() {
    agreesWithAMapModel(true);
  }

  /** The table against a plain map with the same eviction rule, over random admissions, reuse and completions. */
  private static void agreesWithAMapModel(boolean mostlySequential) {
    long seed = System.nanoTime();
    try {
      Random random = new Random(seed);
      int limit = 256; // starts at 64 entries and grows twice
      Outcomes o = new Outcomes(limit);
      // Model: ticket -> (id, outputs or null while pending), newest 'limit' tickets; id -> newest ticket.
      Map<Long, long[]> tickets = new LinkedHashMap<>();
      Map<Long, int[]> outputs = new LinkedHashMap<>();
      Map<Long, Long> newest = new LinkedHashMap<>();
      List<Long> pending = new ArrayList<>();
      long admitted = 0;
      for (int step = 0; step < 20_000; step++) {
        int action = random.nextInt(3);
        if (action == 0 || pending.isEmpty()) {
          long id = mostlySequential && random.nextInt(5000) != 0 ? admitted + 100 : random.nextInt(600);
          long t = o.admit(id);
          assertEquals(admitted++, t);
          tickets.put(t, new long[] {id});
          newest.put(id, t);
          pending.add(t);
          if (tickets.size() > limit) {
            long oldest = tickets.keySet().iterator().next();
            long oldId = tickets.remove(oldest)[0];
            outputs.remove(oldest);
            if (newest.get(oldId) == oldest) {
              newest.remove(oldId);
            }
          }
        } else {
          long t = pending.remove(random.nextInt(pending.size()));
          int[] out = new int[random.nextInt(4)];
          for (int i = 0; i < out.length; i++) {
            out[i] = random.nextInt(1000) * 4 + 3;
          }
          o.complete(t, Status.OK, out);
          if (tickets.containsKey(t)) {
            outputs.put(t, out);
          }
        }
        long probe = mostlySequential ? admitted + 100 - 1 - random.nextInt(300) : random.nextInt(600);
        Long want = newest.get(probe);
        assertEquals(want == null ? Outcomes.UNKNOWN : want, o.find(probe), "find " + probe);
        if (want != null) {
          int[] out = outputs.get(want);
          assertEquals(out != null, o.isDone(want));
          for (int i = 0; out != null && i <= out.length; i++) {
            assertEquals(i < out.length ? out[i] : 0, o.output(probe, i, 0, new String[1]));
          }
        }
      }
    } catch (AssertionError e) {
      throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
    }
  }
}
