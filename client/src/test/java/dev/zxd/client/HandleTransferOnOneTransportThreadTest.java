package dev.zxd.client;

import dev.zxd.testing.ZxdExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The handle-transfer scenario with every connection on one transport thread (--io-threads 1): a syscall that
 * completes another connection's wait then replies to it from that same thread, which must neither deadlock nor
 * reorder anything.
 */
class HandleTransferOnOneTransportThreadTest extends HandleTransferScenario {
  @RegisterExtension
  static final ZxdExtension ZXD = ZxdExtension.over(ZxdExtension.Transport.TCP).withIoThreads(1);

  @Override
  ZxdExtension zxd() {
    return ZXD;
  }
}
