package dev.zxd.kernel;

import java.util.function.Supplier;

/**
 * Puts handles to newly made objects into the caller's table. The room is checked before the object is made, so
 * a full table costs nothing; should a concurrent call of the same process take the room in between, the
 * creation is undone.
 */
final class Installer {
  private Installer() {}

  static HandleResult installOne(Process p, Supplier<? extends KernelObject> make, int rights, String origin) {
    if (!p.handles().hasRoomFor(1)) {
      return HandleResult.failed(Status.ERR_NO_RESOURCES);
    }
    return installOne(p, make.get(), rights, origin);
  }

  static HandlePairResult installPair(Process p, Supplier<? extends KernelObject[]> make, int rights,
      String origin) {
    if (!p.handles().hasRoomFor(2)) {
      return HandlePairResult.failed(Status.ERR_NO_RESOURCES);
    }
    KernelObject[] pair = make.get();
    return installPair(p, pair[0], pair[1], rights, origin);
  }

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
