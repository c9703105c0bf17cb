package dev.zxd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import dev.zxd.client.ZxProcess;
import dev.zxd.client.Zxd;
import dev.zxd.daemon.ListenAddress;
import dev.zxd.daemon.ZxdServer;
import dev.zxd.proto.v1.ChannelWriteReply;
import dev.zxd.proto.v1.ChannelWriteRequest;
import dev.zxd.proto.v1.Status;
import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A trace reader that stops reading loses events instead of slowing the kernel, and zxctl says how many: the
 * daemon keeps a ring of 32 events; zxctl's output blocks after the first event while the process makes
 * thousands of calls; once the output flows again, every call is either shown or counted as lost.
 */
class ZxctlTraceLossTest {
  private static final Pattern EVENT = Pattern.compile("^\\s*(\\d+)\\s+\\d+\\.\\d{3}ms\\s+(\\S+)\\s+(\\S+).*$");
  private static final Pattern LOST = Pattern.compile("^\\.\\.\\. (\\d+) events? lost$");
  private static final int CALLS = 4_000;

  private static ZxdServer server;
  private static String target;

  @BeforeAll
  static void start() throws Exception {
    server = ZxdServer.builder().listen(new ListenAddress.Tcp("127.0.0.1", 0)).traceBufferEvents(16).start();
    target = server.addresses().get(0).toString();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** Lets the first line through, then blocks every write until opened. */
  private static final class Gate extends Writer {
    final StringWriter text = new StringWriter();
    final CountDownLatch blocked = new CountDownLatch(1);
    final CountDownLatch open = new CountDownLatch(1);
    private volatile boolean written;

    @Override
    public void write(char[] buf, int off, int len) throws IOException {
      if (written && open.getCount() > 0) {
        blocked.countDown();
        try {
          if (!open.await(60, TimeUnit.SECONDS)) {
            throw new IOException("the gate was never opened");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(e);
        }
      }
      synchronized (text) {
        text.write(buf, off, len);
      }
      written = true;
    }

    String text() {
      synchronized (text) {
        return text.toString();
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  @Test
  void aReaderThatFallsBehindIsToldHowManyEventsItLost() throws Exception {
    try (Zxd zxd = Zxd.connect(target); ZxProcess p = zxd.createProcess("busy")) {
      long baselineStart = System.nanoTime();
      bogusWrites(p); // no reader: not traced at all
      long baselineMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - baselineStart);
      Gate gate = new Gate();
      Cli.Running trace = Cli.start(gate, "trace", String.valueOf(p.koid()), "--duration", "60s",
          "--target", target);
      try {
        Cli.awaitTraceReader(server, zxd);
        p.createEvent(); // the first event: printed, then zxctl's output blocks
        assertTrue(gate.blocked.await(20, TimeUnit.SECONDS), "zxctl printed the first event");

        long start = System.nanoTime();
        bogusWrites(p);
        long callsMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        gate.open.countDown();
        long drainStart = System.nanoTime();

        // Every one of the 1 + CALLS syscalls ends up shown or counted as lost.
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
            .until(() -> account(gate.text()).total() == 1 + CALLS);
        long drainMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - drainStart);
        Cli.Result r = trace.stop();
        assertEquals(0, r.exit(), r.err());
        Account account = account(gate.text());
        assertTrue(account.lost() > 0, "some events were lost");
        assertTrue(account.lostLines() > 0, "and said so");
        assertTrue(account.shown() > 1, "and the rest shown");
        assertTrue(account.lastSyscall().equals("Channel/Write"), "the newest events are kept");
        System.out.printf("trace loss: %d calls in %d ms with the reader blocked; %d shown, %d lost in %d gaps; "
            + "drained in %d ms; the same calls untraced took %d ms%n", 1 + CALLS, callsMillis, account.shown(),
            account.lost(), account.lostLines(), drainMillis, baselineMillis);
      } finally {
        gate.open.countDown();
        trace.trace().stop();
      }
    }
  }

  /**
   * CALLS writes to no channel, each naming 64 handles: ZX_ERR_BAD_HANDLE, and big trace events (the 64
   * values), so HTTP/2 flow control stops the daemon's sender after a few hundred events.
   */
  private static void bogusWrites(ZxProcess p) throws Exception {
    ChannelWriteRequest.Builder bogus = ChannelWriteRequest.newBuilder().setHandle(0);
    for (int h = 1; h <= 64; h++) {
      bogus.addHandles(h);
    }
    ChannelWriteRequest request = bogus.build();
    List<ListenableFuture<ChannelWriteReply>> inFlight = new ArrayList<>();
    for (int i = 0; i < CALLS; i++) {
      inFlight.add(p.stubs().channelAsync.write(request));
      if (inFlight.size() == 64 || i == CALLS - 1) {
        for (ListenableFuture<ChannelWriteReply> f : inFlight) {
          assertEquals(Status.ZX_ERR_BAD_HANDLE, f.get(10, TimeUnit.SECONDS).getStatus());
        }
        inFlight.clear();
      }
    }
  }

  private record Account(long shown, long lost, long lostLines, String lastSyscall) {
    long total() {
      return shown + lost;
    }
  }

  private static Account account(String text) {
    long shown = 0;
    long lost = 0;
    long lostLines = 0;
    long previous = -1;
    String last = "";
    for (String line : text.lines().toList()) {
      Matcher l = LOST.matcher(line);
      if (l.matches()) {
        lost += Long.parseLong(l.group(1));
        lostLines++;
        continue;
      }
      Matcher e = EVENT.matcher(line);
      assertTrue(e.matches(), line);
      long seq = Long.parseLong(e.group(1));
      assertTrue(seq > previous, "in kernel order");
      previous = seq;
      last = e.group(3);
      shown++;
    }
    return new Account(shown, lost, lostLines, last);
  }
}
