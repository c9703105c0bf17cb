package dev.zxd.client;

import dev.zxd.testing.ZxdExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

class BadInputOverTcpTest extends BadInputScenario {
  @RegisterExtension
  static final ZxdExtension ZXD = ZxdExtension.over(ZxdExtension.Transport.TCP);

  @Override
  ZxdExtension zxd() {
    return ZXD;
  }
}
