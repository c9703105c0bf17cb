package dev.zxd.client;

import dev.zxd.testing.ZxdExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

class BadInputOverInProcessTest extends BadInputScenario {
  @RegisterExtension
  static final ZxdExtension ZXD = ZxdExtension.over(ZxdExtension.Transport.IN_PROCESS);

  @Override
  ZxdExtension zxd() {
    return ZXD;
  }
}
