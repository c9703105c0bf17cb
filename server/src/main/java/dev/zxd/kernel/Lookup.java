package dev.zxd.kernel;

/**
 * The handle checks every syscall starts with, in current Zircon's order: unknown value (BAD_HANDLE), then
 * wrong object type (WRONG_TYPE), then missing rights (ACCESS_DENIED). Current Fuchsia reports the type before
 * the rights; 2018's Zircon did the opposite.
 */
final class Lookup {
  private Lookup() {}

  /** Status of using {@code handle} as an object of {@code type} (NONE: any) with {@code rights}. */
  static int check(Handle handle, int type, int rights) {
    if (handle == null) {
      return Status.ERR_BAD_HANDLE;
    }
    if (type != ObjectType.NONE && handle.object().type() != type) {
      return Status.ERR_WRONG_TYPE;
    }
    if (!handle.hasRights(rights)) {
      return Status.ERR_ACCESS_DENIED;
    }
    return Status.OK;
  }

  /** The checks for waiting on a handle: BAD_HANDLE, ACCESS_DENIED without WAIT, NOT_SUPPORTED if unwaitable. */
  static int checkWaitable(Handle handle) {
    if (handle == null) {
      return Status.ERR_BAD_HANDLE;
    }
    if (!handle.hasRights(Rights.WAIT)) {
      return Status.ERR_ACCESS_DENIED;
    }
    if (!handle.object().isWaitable()) {
      return Status.ERR_NOT_SUPPORTED;
    }
    return Status.OK;
  }
}
