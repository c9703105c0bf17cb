package dev.zxd.kernel;

/** Puts handles to newly made objects into the caller's table, or undoes the creation if there is no room. */
final class Installer {
  private Installer() {}

  static HandleResult installOne(Process p, KernelObject object, int rights, String origin) {
    Handle h = Handle.create(object, rights, origin);
    int value = p.handles().add(h);
    if (value == 0) {
      h.release();
      return HandleResult.failed(Status.ERR_NO_RESOURCES);
    }
    return new HandleResult(Status.OK, value);
  }

  static HandlePairResult installPair(Process p, KernelObject a, KernelObject b, int rights, String origin) {
    Handle[] handles = {Handle.create(a, rights, origin), Handle.create(b, rights, origin)};
    int[] values = new int[2];
    if (!p.handles().addAll(handles, values)) {
      handles[0].release();
      handles[1].release();
      return HandlePairResult.failed(Status.ERR_NO_RESOURCES);
    }
    return new HandlePairResult(Status.OK, values[0], values[1]);
  }
}
