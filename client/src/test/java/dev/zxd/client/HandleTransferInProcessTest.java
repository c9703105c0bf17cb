package dev.zxd.client;

import dev.zxd.testing.ZxdExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

class HandleTransferInProcessTest extends HandleTransferScenario {
  @RegisterExtension
  static final ZxdExtension ZXD = ZxdExtension.over(ZxdExtension.Transport.IN_PROCESS);

  @Override
  ZxdExtension zxd() {
    return ZXD;
  }
}
