package dev.zxd.kernel;

/**
 * A capability: an object plus rights. Immutable. A handle lives in exactly one place at a time: a process's
 * handle table, a channel message in flight, a socket's share slot, or a protocol-info token. Its value is the
 * business of the table holding it; the handle itself has none.
 *
 * <p>Every handle counts towards its object's handle count from creation until {@link #release}.
 */
public final class Handle {
  private final KernelObject object;
  private final int rights;
  /** The syscall that made this handle, for introspection and leak reports. */
  private final String origin;
  private boolean released; // guarded by object.lock

  private Handle(KernelObject object, int rights, String origin) {
    this.object = object;
    this.rights = rights;
    this.origin = origin;
  }

  /** A new handle to {@code object}; the object's handle count grows by one. */
  static Handle create(KernelObject object, int rights, String origin) {
    object.acquireHandle();
    return new Handle(object, rights, origin);
  }

  /** A new handle to the same object with {@code newRights} (already checked to be a subset). */
  Handle derive(int newRights, String origin) {
    return create(object, newRights, origin);
  }

  public KernelObject object() {
    return object;
  }

  public int rights() {
    return rights;
  }

  public String origin() {
    return origin;
  }

  public boolean hasRights(int wanted) {
    return (rights & wanted) == wanted;
  }

  /** Destroys this handle now. The caller must hold no object lock. */
  public void release() {
    Wakeups wakeups = new Wakeups();
    object.releaseHandle(this, wakeups);
    wakeups.run();
  }

  /** Destroys this handle, deferring follow-up work (peer notification, nested handles) to {@code wakeups}. */
  public void release(Wakeups wakeups) {
    object.releaseHandle(this, wakeups);
  }

  boolean isReleasedLocked() {
    return released;
  }

  boolean markReleasedLocked() {
    if (released) {
      return false;
    }
    released = true;
    return true;
  }

  @Override
  public String toString() {
    return ObjectType.name(object.type()) + ":" + object.koid() + "/0x" + Integer.toHexString(rights);
  }
}
