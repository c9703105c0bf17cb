package dev.zxd.kernel;

/** zx_obj_type_t values of the objects zxd implements. */
public final class ObjectType {
  public static final int NONE = 0;
  public static final int PROCESS = 1;
  public static final int VMO = 3;
  public static final int CHANNEL = 4;
  public static final int EVENT = 5;
  public static final int PORT = 6;
  public static final int SOCKET = 14;
  public static final int EVENTPAIR = 16;
  public static final int FIFO = 19;
  public static final int TIMER = 22;
  /** Size of per-type counter arrays (ZX_INFO_PROCESS_HANDLE_STATS). */
  public static final int UPPER_BOUND = 64;

  private ObjectType() {}

  public static String name(int type) {
    switch (type) {
      case PROCESS: return "process";
      case VMO: return "vmo";
      case CHANNEL: return "channel";
      case EVENT: return "event";
      case PORT: return "port";
      case SOCKET: return "socket";
      case EVENTPAIR: return "eventpair";
      case FIFO: return "fifo";
      case TIMER: return "timer";
      default: return "type" + type;
    }
  }
}
