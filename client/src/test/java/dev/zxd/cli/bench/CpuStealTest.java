package dev.zxd.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CpuStealTest {
  @Test
  void stealIsItsShareOfTheTicksBetweenTwoSnapshots() {
    // user nice system idle iowait irq softirq steal guest guest_nice
    CpuSteal a = CpuSteal.parse("cpu  1000 0 500 8000 100 0 0 400 300 0");
    CpuSteal b = CpuSteal.parse("cpu  1300 0 600 8450 100 0 0 550 400 0");
    // 1000 ticks passed (guest is inside user already, so not counted twice); 150 of them stolen.
    assertEquals(15.0, CpuSteal.percent(a, b), 1e-9);
    assertEquals(0.0, CpuSteal.percent(a, CpuSteal.parse("cpu  1100 0 500 8000 100 0 0 400 300 0")), 1e-9);
  }

  @Test
  void missingOrMalformedCountersGiveNaN() {
    assertNull(CpuSteal.parse("cpu0 1 2 3 4 5 6 7 8"));
    assertNull(CpuSteal.parse("cpu 1 2 3"));
    CpuSteal a = CpuSteal.parse("cpu 1 1 1 1 1 1 1 1");
    assertTrue(Double.isNaN(CpuSteal.percent(null, a)));
    assertTrue(Double.isNaN(CpuSteal.percent(a, a)), "no time passed");
  }

  @Test
  void readsThisMachinesCountersWhereThereAreAny() {
    if (!Files.isReadable(Path.of("/proc/stat"))) {
      return; // not Linux: the bench reports no steal
    }
    CpuSteal now = CpuSteal.now();
    assertTrue(now != null, "/proc/stat's cpu line parses");
  }
}
