package dev.zxd.client;

/** One end of an eventpair: signal yourself, or your peer with {@link #signalPeer}. */
public final class EventPair extends Handle {
  /** Both ends of a new eventpair. */
  public record Pair(EventPair end0, EventPair end1) {}

  EventPair(ZxProcess process, int value) {
    super(process, value);
  }

  @Override
  protected Handle rewrap(int newValue) {
    return new EventPair(process, newValue);
  }

  @Override
  public EventPair duplicate(int rights) {
    return (EventPair) super.duplicate(rights);
  }

  @Override
  public EventPair replace(int rights) {
    return (EventPair) super.replace(rights);
  }
}
