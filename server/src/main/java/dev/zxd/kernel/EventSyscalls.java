package dev.zxd.kernel;

/** zx_event_create and zx_eventpair_create. */
public final class EventSyscalls {
  private final Kernel kernel;

  EventSyscalls(Kernel kernel) {
    this.kernel = kernel;
  }

  public HandleResult create(Process p, int options) {
    if (options != 0) {
      return HandleResult.failed(Status.ERR_INVALID_ARGS);
    }
    return Installer.installOne(p, () -> new Event(kernel), Rights.DEFAULT_EVENT, "zx_event_create");
  }

  /** Unlike zx_event_create, a non-zero option here is NOT_SUPPORTED (Zircon's own test expects it). */
  public HandlePairResult createPair(Process p, int options) {
    if (options != 0) {
      return HandlePairResult.failed(Status.ERR_NOT_SUPPORTED);
    }
    return Installer.installPair(p, () -> EventPair.createPair(kernel), Rights.DEFAULT_EVENTPAIR,
        "zx_eventpair_create");
  }
}
