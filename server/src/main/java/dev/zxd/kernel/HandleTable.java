package dev.zxd.kernel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One process's handles, by value. Values look random, are never 0, always have the low two bits set (as
 * current Zircon's), differ between processes (a per-process key) and are not reused until about a billion
 * more handles have been made in the same process.
 *
 * <p>Guarded by its own monitor; never held together with an object lock.
 */
final class HandleTable {
  private static final int VALUE_BITS_MASK = 0x3FFFFFFF;

  private final Map<Integer, Handle> handles = new HashMap<>();
  private final int key;
  private final int capacity;
  private int counter;
  private boolean closed;

  HandleTable(int key, int capacity) {
    this.key = key & VALUE_BITS_MASK;
    this.capacity = capacity;
  }

  /** Installs a handle; returns its value, or 0 if the table is closed (process dead) or full. */
  synchronized int add(Handle handle) {
    if (closed || handles.size() >= capacity) {
      return 0;
    }
    return addLocked(handle);
  }

  /** Installs all the handles or none; fills {@code values}. Returns false if closed or without room. */
  synchronized boolean addAll(Handle[] newHandles, int[] values) {
    if (closed || handles.size() + newHandles.length > capacity) {
      return false;
    }
    for (int i = 0; i < newHandles.length; i++) {
      values[i] = addLocked(newHandles[i]);
    }
    return true;
  }

  synchronized boolean hasRoomFor(int count) {
    return !closed && handles.size() + count <= capacity;
  }

  private int addLocked(Handle handle) {
    int value;
    do {
      value = scramble(counter++) << 2 | 3;
    } while (handles.containsKey(value));
    handles.put(value, handle);
    return value;
  }

  /** A bijection on 30 bits, so consecutive counters give unrelated-looking, distinct values. */
  private int scramble(int n) {
    int x = n & VALUE_BITS_MASK;
    x = (x * 0x2545F491) & VALUE_BITS_MASK;
    x ^= key;
    x ^= x >>> 15;
    x = (x * 0x2C1B3C6D) & VALUE_BITS_MASK;
    x ^= x >>> 13;
    return x;
  }

  synchronized Handle get(int value) {
    return handles.get(value);
  }

  synchronized Handle remove(int value) {
    return handles.remove(value);
  }

  /** Swaps the handle at {@code value} out and {@code replacement} in under a new value (zx_handle_replace). */
  synchronized int replace(int value, Handle replacement) {
    if (handles.remove(value) == null || closed) {
      return 0;
    }
    return addLocked(replacement);
  }

  /**
   * Removes every listed value (zx_channel_write's consumption), in order; a missing value, 0, or one already
   * removed earlier in the list leaves a null at its index.
   */
  synchronized Handle[] removeAll(int[] values) {
    Handle[] out = new Handle[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = handles.remove(values[i]);
    }
    return out;
  }

  /** For each index: removes the value if {@code take[i]}, else just looks it up; in order, atomically. */
  synchronized Handle[] takeOrPeek(int[] values, boolean[] take) {
    Handle[] out = new Handle[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = take[i] ? handles.remove(values[i]) : handles.get(values[i]);
    }
    return out;
  }

  synchronized int size() {
    return handles.size();
  }

  /** Closes the table for good and hands back every handle it held, for the dying process to release. */
  synchronized List<Handle> closeAll() {
    closed = true;
    List<Handle> all = new ArrayList<>(handles.values());
    handles.clear();
    return all;
  }

  /** A consistent copy of the table, for introspection and invariant checks. */
  synchronized Map<Integer, Handle> snapshot() {
    return new HashMap<>(handles);
  }
}
