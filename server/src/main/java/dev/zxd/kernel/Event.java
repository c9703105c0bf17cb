package dev.zxd.kernel;

/** An event: nothing but signals. ZX_EVENT_SIGNALED and the user signals are the holder's to set. */
public final class Event extends KernelObject {
  Event(Kernel kernel) {
    super(kernel, new Object(), 0);
  }

  @Override
  public int type() {
    return ObjectType.EVENT;
  }

  @Override
  protected int userSignalMask() {
    return Signals.USER_ALL | Signals.EVENT_SIGNALED;
  }
}
