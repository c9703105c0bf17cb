package dev.zxd.client;

/** An event handle: signals only (ZX_EVENT_SIGNALED and the user signals). */
public final class Event extends Handle {
  Event(ZxProcess process, int value) {
    super(process, value);
  }

  @Override
  protected Handle rewrap(int newValue) {
    return new Event(process, newValue);
  }

  @Override
  public Event duplicate(int rights) {
    return (Event) super.duplicate(rights);
  }

  @Override
  public Event replace(int rights) {
    return (Event) super.replace(rights);
  }
}
