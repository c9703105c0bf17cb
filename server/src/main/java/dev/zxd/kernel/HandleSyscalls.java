package dev.zxd.kernel;

/** zx_handle_close / close_many / duplicate / replace. */
public final class HandleSyscalls {
  HandleSyscalls() {}

  public int close(Process p, int handle) {
    if (handle == 0) {
      return Status.OK;
    }
    Handle h = p.handles().remove(handle);
    if (h == null) {
      return Status.ERR_BAD_HANDLE;
    }
    h.release();
    return Status.OK;
  }

  /** Closes every valid entry even when some are bad (unknown or repeated values); the result is then BAD_HANDLE. */
  public int closeMany(Process p, int[] handles) {
    int status = Status.OK;
    Wakeups wakeups = new Wakeups();
    Handle[] removed = p.handles().removeAll(handles);
    for (int i = 0; i < handles.length; i++) {
      if (removed[i] != null) {
        removed[i].release(wakeups);
      } else if (handles[i] != 0) {
        status = Status.ERR_BAD_HANDLE;
      }
    }
    wakeups.run();
    return status;
  }

  public HandleResult duplicate(Process p, int handle, int rights) {
    Handle h = p.handles().get(handle);
    if (h == null) {
      return HandleResult.failed(Status.ERR_BAD_HANDLE);
    }
    if (!h.hasRights(Rights.DUPLICATE)) {
      return HandleResult.failed(Status.ERR_ACCESS_DENIED);
    }
    long newRights = Rights.derive(h.rights(), rights);
    if (newRights < 0) {
      return HandleResult.failed(Status.ERR_INVALID_ARGS);
    }
    if (!p.handles().hasRoomFor(1)) {
      return HandleResult.failed(Status.ERR_NO_RESOURCES);
    }
    Handle dup = h.derive((int) newRights, "zx_handle_duplicate");
    int value = p.handles().add(dup);
    if (value == 0) {
      dup.release();
      return HandleResult.failed(Status.ERR_NO_RESOURCES);
    }
    return new HandleResult(Status.OK, value);
  }

  /**
   * Replaces a handle with one of fewer (or the same) rights. Once the handle is found it is consumed on every
   * path, including INVALID_ARGS for rights it does not have. The new handle exists before the old one goes, so
   * the object never sees its handle count touch zero.
   */
  public HandleResult replace(Process p, int handle, int rights) {
    Handle h = p.handles().get(handle);
    if (h == null) {
      return HandleResult.failed(Status.ERR_BAD_HANDLE);
    }
    long newRights = Rights.derive(h.rights(), rights);
    if (newRights < 0) {
      Handle removed = p.handles().remove(handle);
      if (removed != null) {
        removed.release();
      }
      return HandleResult.failed(Status.ERR_INVALID_ARGS);
    }
    Handle replacement = h.derive((int) newRights, "zx_handle_replace");
    int value = p.handles().replace(handle, replacement);
    if (value == 0) {
      // Closed concurrently by another call of the same process.
      replacement.release();
      return HandleResult.failed(Status.ERR_BAD_HANDLE);
    }
    h.release();
    return new HandleResult(Status.OK, value);
  }
}
