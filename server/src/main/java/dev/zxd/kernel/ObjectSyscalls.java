package dev.zxd.kernel;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** zx_object_get_info / signal / signal_peer / wait_one / wait_many / get_property / set_property. */
public final class ObjectSyscalls {
  public static final int INFO_HANDLE_VALID = 1;
  public static final int INFO_HANDLE_BASIC = 2;
  public static final int INFO_HANDLE_COUNT = 19;
  /** Current Fuchsia's __ZX_INFO_TOPIC(3, 1). */
  public static final int INFO_PROCESS = 0x10000003;
  public static final int INFO_PROCESS_HANDLE_STATS = 21;
  public static final int INFO_SOCKET = 22;
  /** ZX_INFO_VMO_V1 (23) and the current ZX_INFO_VMO (__ZX_INFO_TOPIC(23, 2)): the same record here. */
  public static final int INFO_VMO_V1 = 23;
  public static final int INFO_VMO = 0x20000017;

  public static final int PROP_NAME = 3;
  public static final int PROP_SOCKET_RX_THRESHOLD = 12;
  public static final int PROP_SOCKET_TX_THRESHOLD = 13;

  private static final int HANDLE_BASIC_SIZE = 32;
  private static final int HANDLE_COUNT_SIZE = 4;
  private static final int PROCESS_HANDLE_STATS_SIZE = 4 * ObjectType.UPPER_BOUND;
  private static final int SOCKET_INFO_SIZE = 48;
  private static final int PROCESS_INFO_SIZE = 24;
  private static final int VMO_INFO_V1_SIZE = 104;
  private static final int VMO_INFO_SIZE = 120;
  private static final int VMO_FLAG_PAGED = 1;
  private static final int VMO_FLAG_RESIZABLE = 1 << 1;
  private static final int VMO_FLAG_VIA_HANDLE = 1 << 3;
  private static final int VMO_FLAG_DISCARDABLE = 1 << 7;
  private static final int SIZE_T = 8;

  public record InfoResult(int status, int actual, int avail, InfoRecord record) {
    static InfoResult failed(int status) {
      return new InfoResult(status, 0, 0, null);
    }

    static InfoResult tooSmall() {
      return new InfoResult(Status.ERR_BUFFER_TOO_SMALL, 0, 1, null);
    }
  }

  public record WaitResult(int status, int observed) {}

  public record WaitManyResult(int status, int[] pending) {}

  public record PropertyResult(int status, byte[] value, long number) {
    static PropertyResult failed(int status) {
      return new PropertyResult(status, new byte[0], 0);
    }
  }

  private final Kernel kernel;

  ObjectSyscalls(Kernel kernel) {
    this.kernel = kernel;
  }

  public InfoResult getInfo(Process p, int handle, int topic, int bufferSize) {
    switch (topic) {
      case INFO_HANDLE_VALID:
        return InfoResult.failed(p.handles().get(handle) == null ? Status.ERR_BAD_HANDLE : Status.OK);
      case INFO_HANDLE_BASIC: {
        Handle h = p.handles().get(handle);
        if (h == null) {
          return InfoResult.failed(Status.ERR_BAD_HANDLE);
        }
        if (bufferSize < HANDLE_BASIC_SIZE) {
          return InfoResult.tooSmall();
        }
        KernelObject o = h.object();
        return single(new InfoRecord.HandleBasic(o.koid(), h.rights(), o.type(), o.relatedKoid()));
      }
      case INFO_HANDLE_COUNT: {
        Handle h = p.handles().get(handle);
        int status = Lookup.check(h, ObjectType.NONE, Rights.INSPECT);
        if (status != Status.OK) {
          return InfoResult.failed(status);
        }
        if (bufferSize < HANDLE_COUNT_SIZE) {
          return InfoResult.tooSmall();
        }
        return single(new InfoRecord.HandleCount(h.object().handleCount()));
      }
      case INFO_PROCESS_HANDLE_STATS: {
        Handle h = p.handles().get(handle);
        int status = Lookup.check(h, ObjectType.PROCESS, Rights.INSPECT);
        if (status != Status.OK) {
          return InfoResult.failed(status);
        }
        if (bufferSize < PROCESS_HANDLE_STATS_SIZE) {
          return InfoResult.tooSmall();
        }
        int[] counts = new int[ObjectType.UPPER_BOUND];
        for (Handle held : ((Process) h.object()).handleSnapshot().values()) {
          counts[held.object().type()]++;
        }
        return single(new InfoRecord.ProcessHandleStats(counts));
      }
      case INFO_PROCESS: {
        Handle h = p.handles().get(handle);
        int status = Lookup.check(h, ObjectType.PROCESS, Rights.INSPECT);
        if (status != Status.OK) {
          return InfoResult.failed(status);
        }
        if (bufferSize < PROCESS_INFO_SIZE) {
          return InfoResult.tooSmall();
        }
        return single(((Process) h.object()).info());
      }
      case INFO_SOCKET: {
        Handle h = p.handles().get(handle);
        int status = Lookup.check(h, ObjectType.SOCKET, Rights.INSPECT);
        if (status != Status.OK) {
          return InfoResult.failed(status);
        }
        if (bufferSize < SOCKET_INFO_SIZE) {
          return InfoResult.tooSmall();
        }
        return single(((Socket) h.object()).info());
      }
      case INFO_VMO_V1:
      case INFO_VMO: {
        // No right needed: zx_object_get_info reports the handle's rights in the record instead.
        Handle h = p.handles().get(handle);
        int status = Lookup.check(h, ObjectType.VMO, Rights.NONE);
        if (status != Status.OK) {
          return InfoResult.failed(status);
        }
        if (bufferSize < (topic == INFO_VMO ? VMO_INFO_SIZE : VMO_INFO_V1_SIZE)) {
          return InfoResult.tooSmall();
        }
        Vmo vmo = (Vmo) h.object();
        int flags = VMO_FLAG_PAGED | VMO_FLAG_VIA_HANDLE
            | (vmo.isResizable() ? VMO_FLAG_RESIZABLE : 0)
            | ((vmo.options() & Vmo.DISCARDABLE) != 0 ? VMO_FLAG_DISCARDABLE : 0);
        return single(new InfoRecord.VmoInfo(vmo.koid(), vmo.name(), vmo.size(), flags, vmo.committedBytes(),
            h.rights(), vmo.handleCount()));
      }
      default:
        return InfoResult.failed(Status.ERR_NOT_SUPPORTED);
    }
  }

  private static InfoResult single(InfoRecord record) {
    return new InfoResult(Status.OK, 1, 1, record);
  }

  public int signal(Process p, int handle, int clearMask, int setMask) {
    Handle h = p.handles().get(handle);
    int status = Lookup.check(h, ObjectType.NONE, Rights.SIGNAL);
    if (status != Status.OK) {
      return status;
    }
    KernelObject o = h.object();
    if (((clearMask | setMask) & ~o.userSignalMask()) != 0) {
      return Status.ERR_INVALID_ARGS;
    }
    Wakeups wakeups = new Wakeups();
    synchronized (o.lock) {
      o.updateStateLocked(clearMask, setMask, wakeups);
    }
    wakeups.run();
    return Status.OK;
  }

  public int signalPeer(Process p, int handle, int clearMask, int setMask) {
    Handle h = p.handles().get(handle);
    int status = Lookup.check(h, ObjectType.NONE, Rights.SIGNAL_PEER);
    if (status != Status.OK) {
      return status;
    }
    KernelObject o = h.object();
    if (!o.isPeered()) {
      return Status.ERR_NOT_SUPPORTED;
    }
    if (((clearMask | setMask) & ~o.userSignalMask()) != 0) {
      return Status.ERR_INVALID_ARGS;
    }
    Wakeups wakeups = new Wakeups();
    synchronized (o.lock) {
      KernelObject peer = o.peerLocked();
      if (peer == null) {
        return Status.ERR_PEER_CLOSED;
      }
      peer.updateStateLocked(clearMask, setMask, wakeups);
    }
    wakeups.run();
    return Status.OK;
  }

  /**
   * zx_object_wait_one: completes {@code done} exactly once, possibly before returning. Returns an action that
   * abandons the wait without completing it (the client's call was canceled). After the handle checks, a
   * process with all its pending-wait slots in use gets NO_RESOURCES (the daemon's own limit).
   */
  public Runnable waitOne(Process p, int handle, int signals, long deadline, Consumer<WaitResult> done) {
    Handle h = p.handles().get(handle);
    int status = Lookup.checkWaitable(h);
    if (status != Status.OK) {
      done.accept(new WaitResult(status, 0));
      return () -> {};
    }
    if (!p.reserveWait()) {
      done.accept(new WaitResult(Status.ERR_NO_RESOURCES, 0));
      return () -> {};
    }
    return new WaitOne(p, h, signals, done).start(kernel, deadline);
  }

  /** zx_object_wait_many, completing like {@link #waitOne}. */
  public Runnable waitMany(Process p, int[] handles, int[] waitfor, long deadline, Consumer<WaitManyResult> done) {
    if (handles.length > Limits.WAIT_MANY_MAX_ITEMS) {
      done.accept(new WaitManyResult(Status.ERR_OUT_OF_RANGE, new int[0]));
      return () -> {};
    }
    Handle[] resolved = new Handle[handles.length];
    for (int i = 0; i < handles.length; i++) {
      resolved[i] = p.handles().get(handles[i]);
      int status = Lookup.checkWaitable(resolved[i]);
      if (status != Status.OK) {
        done.accept(new WaitManyResult(status, new int[0]));
        return () -> {};
      }
    }
    if (!p.reserveWait()) {
      done.accept(new WaitManyResult(Status.ERR_NO_RESOURCES, new int[0]));
      return () -> {};
    }
    return new WaitMany(p, resolved, waitfor, done).start(kernel, deadline);
  }

  public PropertyResult getProperty(Process p, int handle, int property, int valueSize) {
    Handle h = p.handles().get(handle);
    int status = Lookup.check(h, ObjectType.NONE, Rights.GET_PROPERTY);
    if (status != Status.OK) {
      return PropertyResult.failed(status);
    }
    if (property == PROP_SOCKET_RX_THRESHOLD || property == PROP_SOCKET_TX_THRESHOLD) {
      if (valueSize < SIZE_T) {
        return PropertyResult.failed(Status.ERR_BUFFER_TOO_SMALL);
      }
      if (!(h.object() instanceof Socket socket)) {
        return PropertyResult.failed(Status.ERR_WRONG_TYPE);
      }
      long value = property == PROP_SOCKET_RX_THRESHOLD ? socket.readThreshold() : socket.writeThreshold();
      return new PropertyResult(Status.OK, new byte[0], value);
    }
    if (property != PROP_NAME) {
      return PropertyResult.failed(Status.ERR_INVALID_ARGS);
    }
    if (valueSize < Limits.MAX_NAME_LEN) {
      return PropertyResult.failed(Status.ERR_BUFFER_TOO_SMALL);
    }
    String name;
    if (h.object() instanceof Process target) {
      name = target.name();
    } else if (h.object() instanceof Vmo vmo) {
      name = vmo.name();
    } else {
      return PropertyResult.failed(Status.ERR_WRONG_TYPE);
    }
    return new PropertyResult(Status.OK, name.getBytes(StandardCharsets.UTF_8), 0);
  }

  public int setProperty(Process p, int handle, int property, byte[] value, long number) {
    Handle h = p.handles().get(handle);
    int status = Lookup.check(h, ObjectType.NONE, Rights.SET_PROPERTY);
    if (status != Status.OK) {
      return status;
    }
    if (property == PROP_SOCKET_RX_THRESHOLD || property == PROP_SOCKET_TX_THRESHOLD) {
      if (!(h.object() instanceof Socket socket)) {
        return Status.ERR_WRONG_TYPE;
      }
      if (number < 0) {
        return Status.ERR_INVALID_ARGS; // a size_t above 2^63 is above any buffer
      }
      Wakeups wakeups = new Wakeups();
      int result = property == PROP_SOCKET_RX_THRESHOLD
          ? socket.setReadThreshold(number, wakeups) : socket.setWriteThreshold(number, wakeups);
      wakeups.run();
      return result;
    }
    if (property != PROP_NAME) {
      return Status.ERR_INVALID_ARGS;
    }
    if (h.object() instanceof Process target) {
      target.setName(nameOf(value));
    } else if (h.object() instanceof Vmo vmo) {
      vmo.setName(nameOf(value));
    } else {
      return Status.ERR_WRONG_TYPE;
    }
    return Status.OK;
  }

  /** A name as Zircon reads it: up to the first NUL, at most ZX_MAX_NAME_LEN - 1 bytes. */
  private static String nameOf(byte[] value) {
    int n = 0;
    while (n < value.length && n < Limits.MAX_NAME_LEN - 1 && value[n] != 0) {
      n++;
    }
    return new String(value, 0, n, StandardCharsets.UTF_8);
  }
}
