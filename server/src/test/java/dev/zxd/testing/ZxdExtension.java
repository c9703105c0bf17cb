package dev.zxd.testing;

import dev.zxd.daemon.ListenAddress;
import dev.zxd.daemon.ZxdServer;
import dev.zxd.kernel.Kernel;
import dev.zxd.kernel.KernelConfig;
import dev.zxd.kernel.KernelObject;
import dev.zxd.kernel.Process;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Boots a zxd daemon for a test class, on a real loopback socket (default), a Unix domain socket, or the
 * in-process transport, and fails any test that leaves kernel objects alive once its processes have exited:
 * after each test every process is killed and the kernel must then hold no objects at all.
 *
 * <pre>{@code
 * @RegisterExtension static final ZxdExtension zxd = ZxdExtension.tcp();
 * ... Zxd.connect(zxd.target()) ...
 * }</pre>
 */
public final class ZxdExtension implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
  /** The transports a scenario can run over. */
  public enum Transport { TCP, UNIX, IN_PROCESS }

  private final Transport transport;
  private KernelConfig config;
  private int ioThreads;
  private ZxdServer server;
  private Path socketDir;

  private ZxdExtension(Transport transport, KernelConfig config) {
    this.transport = transport;
    this.config = config;
  }

  public static ZxdExtension tcp() {
    return new ZxdExtension(Transport.TCP, KernelConfig.DEFAULTS);
  }

  public static ZxdExtension over(Transport transport) {
    return new ZxdExtension(transport, KernelConfig.DEFAULTS);
  }

  /** Kernel limits and timings for this daemon (e.g. a short grace period). */
  public ZxdExtension withConfig(KernelConfig kernelConfig) {
    this.config = kernelConfig;
    return this;
  }

  /** Transport threads for the listener (the daemon's --io-threads); 0, the default, is two per core. */
  public ZxdExtension withIoThreads(int threads) {
    this.ioThreads = threads;
    return this;
  }

  public Transport transport() {
    return transport;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    ListenAddress address;
    switch (transport) {
      case UNIX:
        socketDir = Files.createTempDirectory("zxd-test");
        address = new ListenAddress.Unix(socketDir.resolve("zxd.sock"));
        break;
      case IN_PROCESS:
        address = new ListenAddress.InProcess("zxd-test-" + UUID.randomUUID());
        break;
      default:
        address = new ListenAddress.Tcp("127.0.0.1", 0);
    }
    server = ZxdServer.builder().kernelConfig(config).ioThreads(ioThreads).listen(address).start();
  }

  /** What to pass to a client: {@code 127.0.0.1:port}, {@code unix:/path} or {@code inprocess:name}. */
  public String target() {
    return server.addresses().get(0).toString();
  }

  public ZxdServer server() {
    return server;
  }

  public Kernel kernel() {
    return server.kernel();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    Kernel kernel = kernel();
    for (Process p : kernel.processes().all()) {
      p.kill(Process.RETCODE_KILLED);
    }
    // Replies in flight may still be settling on transport threads; objects themselves die synchronously.
    try {
      Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(2))
          .until(() -> kernel.objects().size() == 0);
    } catch (ConditionTimeoutException e) {
      // Reported below with the list of what is left.
    }
    List<KernelObject> leaked = kernel.objects().all();
    if (!leaked.isEmpty()) {
      throw new AssertionError("kernel objects leaked after every process exited: " + leaked.stream()
          .map(o -> o + "(handles=" + o.handleCount() + ")").collect(Collectors.joining(", ")));
    }
    if (kernel.memory().used() != 0) {
      throw new AssertionError("memory budget still charged after every object died: " + kernel.memory().used());
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (server != null) {
      server.close();
    }
    if (socketDir != null) {
      Files.deleteIfExists(socketDir.resolve("zxd.sock"));
      Files.deleteIfExists(socketDir);
    }
  }
}
