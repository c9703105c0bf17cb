package dev.zxd.daemon;

import dev.zxd.kernel.Handle;
import dev.zxd.kernel.Kernel;
import dev.zxd.kernel.ObjectType;
import dev.zxd.kernel.Process;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a process dies, says what it still held: handles grouped by object type and the syscall that made them,
 * in the log and in {@code zxd_leaked_handles_total{type, origin}}. The kernel has closed them by then; the
 * report is for finding the simulated program that forgot to.
 */
final class LeakReport implements Kernel.DeathListener {
  private static final Logger log = LoggerFactory.getLogger(LeakReport.class);

  private final MeterRegistry registry;
  private final Counter deaths;

  LeakReport(MeterRegistry registry) {
    this.registry = registry;
    this.deaths = Counter.builder("zxd.process.deaths").description("Processes that died").register(registry);
  }

  @Override
  public void onDeath(Process process, List<Handle> heldAtDeath) {
    deaths.increment();
    if (heldAtDeath.isEmpty()) {
      return;
    }
    Map<String, Integer> groups = new TreeMap<>();
    for (Handle h : heldAtDeath) {
      String type = ObjectType.name(h.object().type());
      groups.merge(type + " from " + h.origin(), 1, Integer::sum);
      Counter.builder("zxd.leaked.handles")
          .description("Handles still held by processes when they died, by type and creating syscall")
          .tag("type", type).tag("origin", h.origin()).register(registry).increment();
    }
    if (log.isInfoEnabled()) {
      StringBuilder sb = new StringBuilder();
      groups.forEach((k, n) -> sb.append(sb.length() == 0 ? "" : ", ").append(n).append(" x ").append(k));
      log.info("process {} ({}) exited with code {} holding {} handle(s): {}", process.koid(), process.name(),
          process.returnCode(), heldAtDeath.size(), sb);
    }
  }
}
