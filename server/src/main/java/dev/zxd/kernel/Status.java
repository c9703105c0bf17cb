package dev.zxd.kernel;

/** zx_status_t values, with Zircon's numbers. Syscalls return these as values; none of them is an exception. */
public final class Status {
  public static final int OK = 0;
  public static final int ERR_INTERNAL = -1;
  public static final int ERR_NOT_SUPPORTED = -2;
  public static final int ERR_NO_RESOURCES = -3;
  public static final int ERR_NO_MEMORY = -4;
  public static final int ERR_INVALID_ARGS = -10;
  public static final int ERR_BAD_HANDLE = -11;
  public static final int ERR_WRONG_TYPE = -12;
  public static final int ERR_BAD_SYSCALL = -13;
  public static final int ERR_OUT_OF_RANGE = -14;
  public static final int ERR_BUFFER_TOO_SMALL = -15;
  public static final int ERR_BAD_STATE = -20;
  public static final int ERR_TIMED_OUT = -21;
  public static final int ERR_SHOULD_WAIT = -22;
  public static final int ERR_CANCELED = -23;
  public static final int ERR_PEER_CLOSED = -24;
  public static final int ERR_NOT_FOUND = -25;
  public static final int ERR_ALREADY_EXISTS = -26;
  public static final int ERR_ALREADY_BOUND = -27;
  public static final int ERR_UNAVAILABLE = -28;
  public static final int ERR_ACCESS_DENIED = -30;

  private Status() {}

  /** The Zircon name of a status, for messages and traces. */
  public static String name(int status) {
    switch (status) {
      case OK: return "ZX_OK";
      case ERR_INTERNAL: return "ZX_ERR_INTERNAL";
      case ERR_NOT_SUPPORTED: return "ZX_ERR_NOT_SUPPORTED";
      case ERR_NO_RESOURCES: return "ZX_ERR_NO_RESOURCES";
      case ERR_NO_MEMORY: return "ZX_ERR_NO_MEMORY";
      case ERR_INVALID_ARGS: return "ZX_ERR_INVALID_ARGS";
      case ERR_BAD_HANDLE: return "ZX_ERR_BAD_HANDLE";
      case ERR_WRONG_TYPE: return "ZX_ERR_WRONG_TYPE";
      case ERR_BAD_SYSCALL: return "ZX_ERR_BAD_SYSCALL";
      case ERR_OUT_OF_RANGE: return "ZX_ERR_OUT_OF_RANGE";
      case ERR_BUFFER_TOO_SMALL: return "ZX_ERR_BUFFER_TOO_SMALL";
      case ERR_BAD_STATE: return "ZX_ERR_BAD_STATE";
      case ERR_TIMED_OUT: return "ZX_ERR_TIMED_OUT";
      case ERR_SHOULD_WAIT: return "ZX_ERR_SHOULD_WAIT";
      case ERR_CANCELED: return "ZX_ERR_CANCELED";
      case ERR_PEER_CLOSED: return "ZX_ERR_PEER_CLOSED";
      case ERR_NOT_FOUND: return "ZX_ERR_NOT_FOUND";
      case ERR_ALREADY_EXISTS: return "ZX_ERR_ALREADY_EXISTS";
      case ERR_ALREADY_BOUND: return "ZX_ERR_ALREADY_BOUND";
      case ERR_UNAVAILABLE: return "ZX_ERR_UNAVAILABLE";
      case ERR_ACCESS_DENIED: return "ZX_ERR_ACCESS_DENIED";
      default: return "ZX_STATUS(" + status + ")";
    }
  }
}
