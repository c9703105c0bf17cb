package dev.zxd.kernel;

/** zx_process_create / start / exit and zx_task_kill: processes as sessions. */
public final class ProcessSyscalls {
  /** What Process/Create returns. {@code procHandle} is 0 for a top-level process. */
  public record CreateResult(int status, Process process, String sessionToken, int procHandle) {
    static CreateResult failed(int status) {
      return new CreateResult(status, null, "", 0);
    }
  }

  private final Kernel kernel;

  ProcessSyscalls(Kernel kernel) {
    this.kernel = kernel;
  }

  /**
   * Makes a process. With {@code parent} null it is top-level and already running; otherwise it is the parent's
   * child, not started until Start, and the parent gets a handle to it.
   */
  public CreateResult create(Process parent, String name, int options) {
    if (options != 0) {
      return CreateResult.failed(Status.ERR_INVALID_ARGS);
    }
    if (parent != null && !parent.handles().hasRoomFor(1)) {
      return CreateResult.failed(Status.ERR_NO_RESOURCES);
    }
    Process child = kernel.newProcess(name, parent);
    if (child == null) {
      return CreateResult.failed(Status.ERR_NO_RESOURCES);
    }
    int procHandle = 0;
    if (parent != null) {
      HandleResult installed = Installer.installOne(parent, child, Rights.DEFAULT_PROCESS, "zx_process_create");
      if (installed.status() != Status.OK) {
        child.kill(Process.RETCODE_KILLED);
        return CreateResult.failed(installed.status());
      }
      procHandle = installed.out();
    }
    return new CreateResult(Status.OK, child, kernel.processes().tokenOf(child), procHandle);
  }

  /**
   * Starts a child, moving {@code arg1} (0 for none) into its table. arg1 is consumed on every path once found:
   * Zircon closes it when the start fails.
   */
  public int start(Process p, int handle, int arg1) {
    Handle h = p.handles().get(handle);
    int status = Lookup.check(h, ObjectType.PROCESS, Rights.WRITE);
    Handle moved = arg1 == 0 ? null : p.handles().remove(arg1);
    if (status != Status.OK) {
      releaseIfAny(moved);
      return status;
    }
    if (arg1 != 0 && moved == null) {
      return Status.ERR_BAD_HANDLE;
    }
    if (moved != null && !moved.hasRights(Rights.TRANSFER)) {
      moved.release();
      return Status.ERR_ACCESS_DENIED;
    }
    Process child = (Process) h.object();
    if (child.state() != Process.State.NEW) {
      releaseIfAny(moved);
      return Status.ERR_BAD_STATE;
    }
    int value = 0;
    if (moved != null) {
      value = child.handles().add(moved);
      if (value == 0) {
        moved.release();
        return Status.ERR_BAD_STATE;
      }
    }
    status = child.start(value);
    if (status != Status.OK && moved != null) {
      // Started (or killed) concurrently: take arg1 back out and close it, as Zircon does on failure.
      Handle back = child.handles().remove(value);
      releaseIfAny(back);
    }
    return status;
  }

  private static void releaseIfAny(Handle h) {
    if (h != null) {
      h.release();
    }
  }

  /** zx_process_exit. */
  public void exit(Process p, long retcode) {
    p.kill(retcode);
  }

  /** zx_task_kill. Needs DESTROY; killing a dead process is OK and changes nothing. */
  public int kill(Process p, int handle) {
    Handle h = p.handles().get(handle);
    int status = Lookup.check(h, ObjectType.PROCESS, Rights.DESTROY);
    if (status != Status.OK) {
      return status;
    }
    ((Process) h.object()).kill(Process.RETCODE_KILLED);
    return Status.OK;
  }
}
