package dev.zxd.kernel;

/** zx_rights_t bits and the default rights of each object type (current Fuchsia's values). */
public final class Rights {
  public static final int NONE = 0;
  public static final int DUPLICATE = 1 << 0;
  public static final int TRANSFER = 1 << 1;
  public static final int READ = 1 << 2;
  public static final int WRITE = 1 << 3;
  public static final int EXECUTE = 1 << 4;
  public static final int MAP = 1 << 5;
  public static final int GET_PROPERTY = 1 << 6;
  public static final int SET_PROPERTY = 1 << 7;
  public static final int ENUMERATE = 1 << 8;
  public static final int DESTROY = 1 << 9;
  public static final int SET_POLICY = 1 << 10;
  public static final int GET_POLICY = 1 << 11;
  public static final int SIGNAL = 1 << 12;
  public static final int SIGNAL_PEER = 1 << 13;
  public static final int WAIT = 1 << 14;
  public static final int INSPECT = 1 << 15;
  public static final int MANAGE_JOB = 1 << 16;
  public static final int MANAGE_PROCESS = 1 << 17;
  public static final int MANAGE_THREAD = 1 << 18;
  public static final int RESIZE = 1 << 22;
  public static final int SAME_RIGHTS = 1 << 31;

  public static final int BASIC = TRANSFER | DUPLICATE | WAIT | INSPECT;
  public static final int IO = READ | WRITE;
  public static final int PROPERTY = GET_PROPERTY | SET_PROPERTY;

  public static final int DEFAULT_CHANNEL = (BASIC & ~DUPLICATE) | IO | SIGNAL | SIGNAL_PEER; // 0xF00E
  public static final int DEFAULT_SOCKET = BASIC | IO | PROPERTY | SIGNAL | SIGNAL_PEER; // 0xF0CF
  public static final int DEFAULT_EVENT = BASIC | SIGNAL; // 0xD003
  public static final int DEFAULT_EVENTPAIR = BASIC | SIGNAL | SIGNAL_PEER; // 0xF003
  public static final int DEFAULT_PORT = (BASIC & ~WAIT) | IO; // 0x800F
  public static final int DEFAULT_TIMER = BASIC | WRITE | SIGNAL; // 0xD00B
  public static final int DEFAULT_VMO = BASIC | IO | PROPERTY | MAP | SIGNAL; // 0xD0EF
  public static final int DEFAULT_FIFO = BASIC | IO | SIGNAL | SIGNAL_PEER; // 0xF00F
  public static final int DEFAULT_PROCESS = BASIC | IO | PROPERTY | ENUMERATE | DESTROY | SIGNAL
      | MANAGE_PROCESS | MANAGE_THREAD; // 0x6D3CF

  private Rights() {}

  /** Whether a handle with {@code held} rights may ask for {@code wanted}: a subset, never more. */
  public static boolean isSubset(int wanted, int held) {
    return (held & wanted) == wanted;
  }

  /**
   * The rights a new handle gets when derived from one holding {@code held}, or -1 when {@code requested} asks
   * for more. SAME_RIGHTS only means "the same" on its own; mixed with other bits it is an ordinary (invalid) mask.
   */
  public static long derive(int held, int requested) {
    if (requested == SAME_RIGHTS) {
      return held & 0xFFFFFFFFL;
    }
    return isSubset(requested, held) ? requested & 0xFFFFFFFFL : -1;
  }
}
