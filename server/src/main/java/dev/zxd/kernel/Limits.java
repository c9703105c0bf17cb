package dev.zxd.kernel;

/** Zircon's fixed limits. (The daemon's own configurable ones are in {@link KernelConfig}.) */
public final class Limits {
  public static final int CHANNEL_MAX_MSG_BYTES = 65_536;
  public static final int CHANNEL_MAX_MSG_HANDLES = 64;
  public static final int CHANNEL_MAX_MSG_IOVEC = 8_192;
  public static final int WAIT_MANY_MAX_ITEMS = 16;
  public static final int MAX_NAME_LEN = 32;

  private Limits() {}
}
