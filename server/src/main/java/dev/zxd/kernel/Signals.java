package dev.zxd.kernel;

/** zx_signals_t bits. The same low bits mean different things on different objects. */
public final class Signals {
  public static final int NONE = 0;
  public static final int READABLE = 1 << 0;
  public static final int WRITABLE = 1 << 1;
  public static final int PEER_CLOSED = 1 << 2;
  public static final int SIGNALED = 1 << 3;

  public static final int CHANNEL_READABLE = READABLE;
  public static final int CHANNEL_WRITABLE = WRITABLE;
  public static final int CHANNEL_PEER_CLOSED = PEER_CLOSED;

  public static final int SOCKET_READABLE = READABLE;
  public static final int SOCKET_WRITABLE = WRITABLE;
  public static final int SOCKET_PEER_CLOSED = PEER_CLOSED;
  public static final int SOCKET_PEER_WRITE_DISABLED = 1 << 4;
  public static final int SOCKET_WRITE_DISABLED = 1 << 5;
  public static final int SOCKET_CONTROL_READABLE = 1 << 6;
  public static final int SOCKET_CONTROL_WRITABLE = 1 << 7;
  public static final int SOCKET_ACCEPT = 1 << 8;
  public static final int SOCKET_SHARE = 1 << 9;
  public static final int SOCKET_READ_THRESHOLD = 1 << 10;
  public static final int SOCKET_WRITE_THRESHOLD = 1 << 11;

  public static final int EVENT_SIGNALED = SIGNALED;
  public static final int EVENTPAIR_SIGNALED = SIGNALED;
  public static final int EVENTPAIR_PEER_CLOSED = PEER_CLOSED;
  public static final int TASK_TERMINATED = SIGNALED;
  public static final int TIMER_SIGNALED = SIGNALED;
  public static final int VMO_ZERO_CHILDREN = SIGNALED;
  public static final int FIFO_READABLE = READABLE;
  public static final int FIFO_WRITABLE = WRITABLE;
  public static final int FIFO_PEER_CLOSED = PEER_CLOSED;

  /** Reported, never asserted: the waited handle was closed during the wait. */
  public static final int HANDLE_CLOSED = 1 << 23;

  public static final int USER_0 = 1 << 24;
  public static final int USER_ALL = 0xFF000000;

  private Signals() {}
}
