package dev.zxd.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Every live kernel object by koid: what introspection describes, what metrics count, and what the leak check
 * finds empty once every process has exited.
 */
public final class ObjectRegistry {
  private final ConcurrentHashMap<Long, KernelObject> objects = new ConcurrentHashMap<>();
  private final AtomicIntegerArray countByType = new AtomicIntegerArray(ObjectType.UPPER_BOUND);

  void register(KernelObject object) {
    objects.put(object.koid(), object);
    countByType.incrementAndGet(object.type());
  }

  void unregister(KernelObject object) {
    if (objects.remove(object.koid()) != null) {
      countByType.decrementAndGet(object.type());
    }
  }

  public KernelObject get(long koid) {
    return objects.get(koid);
  }

  public int size() {
    return objects.size();
  }

  public int count(int type) {
    return countByType.get(type);
  }

  public List<KernelObject> all() {
    return new ArrayList<>(objects.values());
  }
}
