package dev.zxd.daemon;

import dev.zxd.kernel.Introspection;
import dev.zxd.kernel.Kernel;
import dev.zxd.kernel.KernelObject;
import dev.zxd.kernel.ObjectType;
import dev.zxd.kernel.Process;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.ToDoubleFunction;

/**
 * Gauges of the kernel's state. Counts that need a walk over every object (queued bytes, pending waits) come
 * from one snapshot per scrape, taken at most once a second, not one walk per gauge.
 */
final class KernelMetrics {
  private static final int[] TYPES = {ObjectType.PROCESS, ObjectType.CHANNEL, ObjectType.SOCKET, ObjectType.EVENT,
      ObjectType.EVENTPAIR, ObjectType.PORT, ObjectType.TIMER, ObjectType.VMO, ObjectType.FIFO};

  /** What one walk over every object found. */
  private record Walk(long handles, long channelMessages, long channelBytes, long socketBytes, long pendingWaits) {}

  private final Kernel kernel;
  private Walk last = new Walk(0, 0, 0, 0, 0);
  private long lastAt = Long.MIN_VALUE;

  private KernelMetrics(Kernel kernel) {
    this.kernel = kernel;
  }

  static void bind(Kernel kernel, MeterRegistry registry) {
    KernelMetrics m = new KernelMetrics(kernel);
    for (int type : TYPES) {
      Gauge.builder("zxd.objects", kernel, k -> k.objects().count(type))
          .description("Live kernel objects, by type").tag("type", ObjectType.name(type)).register(registry);
    }
    Gauge.builder("zxd.processes", kernel, k -> k.processes().size())
        .description("Live processes (sessions)").register(registry);
    m.gauge(registry, "zxd.handles", "Handles in process tables", Walk::handles);
    m.gauge(registry, "zxd.channel.queued.messages", "Messages waiting in channels", Walk::channelMessages);
    m.gauge(registry, "zxd.channel.queued.bytes", "Bytes of messages waiting in channels", Walk::channelBytes);
    m.gauge(registry, "zxd.socket.queued.bytes", "Bytes waiting in sockets", Walk::socketBytes);
    m.gauge(registry, "zxd.waits.pending", "Pending waits (wait_one, wait_many items, async waits, calls)",
        Walk::pendingWaits);
    Gauge.builder("zxd.tokens.outstanding", kernel, k -> k.tokens().size())
        .description("Protocol-info tokens issued and not yet redeemed or expired").register(registry);
    Gauge.builder("zxd.memory.budget.used", kernel, k -> k.memory().used()).baseUnit("bytes")
        .description("Memory held by objects (VMO pages, queued channel messages, socket and FIFO buffers), "
            + "charged to --memory-budget-bytes").register(registry);
    Gauge.builder("zxd.timers.pending", kernel, k -> k.timers().pending())
        .description("Deadlines scheduled (waits, calls, timers, leases, tokens)").register(registry);
  }

  private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<Walk> field) {
    // Micrometer holds gauge targets weakly; nothing else holds this object, so hold it strongly (else NaN).
    Gauge.builder(name, this, m -> field.applyAsDouble(m.walk())).description(description).strongReference(true)
        .register(registry);
  }

  private synchronized Walk walk() {
    long now = System.nanoTime();
    if (now - lastAt < 1_000_000_000L && lastAt != Long.MIN_VALUE) {
      return last;
    }
    long handles = 0;
    for (Process p : kernel.processes().all()) {
      handles += p.handleTableSize();
    }
    long messages = 0;
    long channelBytes = 0;
    long socketBytes = 0;
    long waits = 0;
    for (KernelObject o : kernel.objects().all()) {
      Introspection.ObjectDescription d = Introspection.describe(o);
      waits += d.pendingWaits();
      if (d.type() == ObjectType.CHANNEL) {
        messages += d.queuedMessages();
        channelBytes += d.queuedBytes();
      } else if (d.type() == ObjectType.SOCKET) {
        socketBytes += d.queuedBytes();
      }
    }
    last = new Walk(handles, messages, channelBytes, socketBytes, waits);
    lastAt = now;
    return last;
  }
}
