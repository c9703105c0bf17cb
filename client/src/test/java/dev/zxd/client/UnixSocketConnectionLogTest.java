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

/**
 * A connection over the Unix domain socket logs nothing at WARN or above on either side. gRPC asks every
 * connection for TCP keepalive, which a Unix socket does not have, and Netty used to warn about it once per
 * connection in the daemon's log and in every client's output.
 */
class UnixSocketConnectionLogTest {
  @RegisterExtension
  static final ZxdExtension ZXD = ZxdExtension.over(ZxdExtension.Transport.UNIX);

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
}
