package dev.zxd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Handle values are per process: a million values tried by one process (random ones, and every value the other
 * process really holds, many times over) name nothing it can use in another process's table, which holds a few
 * thousand live handles. Every attempt is ZX_ERR_BAD_HANDLE and changes nothing anywhere.
 */
@ExtendWith(KernelExtension.class)
class HandleIsolationTest {
  private static final int ATTEMPTS = 1_000_000;

  /** What a process's handles look like from outside: values, the Handles, their objects' counts and signals. */
  private record Picture(Map<Integer, Handle> table, List<Integer> handleCounts, List<Integer> signals) {
    static Picture of(Process p) {
      Map<Integer, Handle> table = p.handleSnapshot();
      List<Integer> counts = new ArrayList<>();
      List<Integer> signals = new ArrayList<>();
      table.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
        counts.add(e.getValue().object().handleCount());
        signals.add(e.getValue().object().signals());
      });
      return new Picture(table, counts, signals);
    }

    void assertUnchanged(Picture now, String who) {
      assertEquals(table.keySet(), now.table.keySet(), who + ": handle values");
      table.forEach((v, h) -> assertSame(h, now.table.get(v), who + ": the Handle at 0x" + Integer.toHexString(v)));
      assertEquals(handleCounts, now.handleCounts, who + ": handle counts");
      assertEquals(signals, now.signals, who + ": signals");
    }
  }

  @Test
  void aMillionValuesFromAnotherProcessAreAllBadHandles(KernelFixture f) {
    long seed = System.nanoTime();
    Random rnd = new Random(seed);
    Process victim = f.process("victim");
    for (int i = 0; i < 1_000; i++) {
      f.channel(victim);
      f.event(victim);
    }
    int[] keep = f.channel(victim);
    f.writeOk(victim, keep[0], "queued", f.event(victim));
    Process attacker = f.process("attacker");
    int[] own = f.channel(attacker);
    f.event(attacker);

    Picture victimBefore = Picture.of(victim);
    Picture attackerBefore = Picture.of(attacker);
    int objectsBefore = f.kernel().objects().size();
    int[] victimValues = victimBefore.table().keySet().stream().mapToInt(Integer::intValue).toArray();
    assertEquals(3_002, victimValues.length, "2 000 channel ends, 1 000 events, one more pair (its event is queued)");

    Kernel k = f.kernel();
    ByteString body = ByteString.copyFromUtf8("x");
    int tried = 0;
    for (int i = 0; i < ATTEMPTS; i++) {
      int v = switch (i & 3) {
        case 0 -> victimValues[(i >>> 2) % victimValues.length];
        case 1 -> rnd.nextInt() | 3; // shaped like a real value
        default -> rnd.nextInt();
      };
      if (v == 0 || attacker.handle(v) != null) {
        continue; // 0 is "no handle" (closing it is OK); a value the attacker itself holds is its own business
      }
      tried++;
      int status = switch (i % 5) {
        case 0 -> k.handle().close(attacker, v);
        case 1 -> k.handle().duplicate(attacker, v, Rights.SAME_RIGHTS).status();
        case 2 -> k.object().signal(attacker, v, 0, Signals.USER_0);
        case 3 -> k.channel().read(attacker, v, 0, 64, 4).status();
        default -> k.channel().write(attacker, own[0], 0, body, List.of(), new int[] {v});
      };
      if (status != Status.ERR_BAD_HANDLE) {
        assertEquals(Status.ERR_BAD_HANDLE, status, "seed " + seed + ", value 0x" + Integer.toHexString(v)
            + " (attempt " + i + ") gave " + Status.name(status));
      }
    }
    assertEquals(ATTEMPTS, tried, 200, "seed " + seed + ": nearly every attempt counted");
    victimBefore.assertUnchanged(Picture.of(victim), "victim");
    attackerBefore.assertUnchanged(Picture.of(attacker), "attacker");
    assertEquals(objectsBefore, k.objects().size(), "objects");
    assertEquals(0, ((Channel) attacker.handle(own[1]).object()).queuedMessages(), "no write went through");
  }
}
