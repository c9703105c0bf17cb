package dev.zxd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.zxd.testing.ZxdExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** Connections over the Unix domain socket: quiet logs, and event loop threads shared by all of them. */
class UnixSocketConnectionTest {
  @RegisterExtension
  static final ZxdExtension ZXD = ZxdExtension.over(ZxdExtension.Transport.UNIX);

  /**
   * gRPC asks every connection for TCP keepalive, which a Unix socket does not have, and Netty used to warn about
   * it once per connection in the daemon's log and in every client's output.
   */
  @Test
  void connectingOverTheUnixSocketWarnsAboutNothing() {
    LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger netty = logging.getLogger("io.netty");
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.setContext(logging);
    logs.start();
    netty.addAppender(logs);
    try (Zxd zxd = Zxd.connect(ZXD.target()); ZxProcess process = zxd.createProcess("unix-log")) {
      // The daemon's accept and the client's connect have both applied their socket options by the time the
      // first call on the connection is answered.
      Event event = process.createEvent();
      assertTrue(event.koid() > 0, "a call over the Unix socket is answered");
    } finally {
      netty.detachAppender(logs);
    }

    List<String> warnings = logs.list.stream()
        .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
    assertEquals(List.of(), warnings);
  }

  private static List<Thread> unixSocketLoopThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("zxd-unix-socket")).toList();
  }

  @Test
  void connectionsShareTheirEventLoopThreadsAndNoneKeepsTheJvmAlive() {
    int cores = Runtime.getRuntime().availableProcessors();
    List<Zxd> connections = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 4 * cores + 2; i++) {
        connections.add(Zxd.connect(ZXD.target()));
      }
      List<Thread> loops = unixSocketLoopThreads();
      assertTrue(!loops.isEmpty() && loops.size() <= 2 * cores,
          loops.size() + " event loop threads for " + connections.size() + " connections");
      assertTrue(loops.stream().allMatch(Thread::isDaemon), "a forgotten connection does not keep the JVM alive");
    } finally {
      connections.forEach(Zxd::close);
    }
  }

  @Test
  void closingOneConnectionLeavesTheOthersWorking() {
    try (Zxd other = Zxd.connect(ZXD.target())) {
      Zxd.connect(ZXD.target()).close();
      try (ZxProcess process = other.createProcess("still-here")) {
        assertTrue(process.createEvent().koid() > 0);
      }
    }
  }
}
