package dev.zxd.kernel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.StampedLock;

/**
 * One process's handles, by value. Values look random, are never 0, always have the low two bits set (as
 * current Zircon's), differ between processes (a per-process key) and are not reused until about a billion
 * more handles have been made in the same process.
 *
 * <p>An open-addressing map from int values to handles (no boxing), guarded by its own lock; never held
 * together with an object lock. Lookups, the most frequent operation by far (every syscall starts with one),
 * take no lock at all: they read optimistically and retry under the read lock only if a change raced them.
 */
final class HandleTable {
  private static final int VALUE_BITS_MASK = 0x3FFFFFFF;
  private static final int MIN_SLOTS = 16;

  private final StampedLock lock = new StampedLock();
  private final int key;
  private final int capacity;
  // Linear probing, 0 = empty (no value is 0), at most half full; removal shifts entries back (no tombstones).
  // Both arrays are replaced together, under the write lock, and read through one Slots reference.
  private Slots slots = new Slots(MIN_SLOTS);
  private int size;
  private int counter;
  private boolean closed;

  private static final class Slots {
    final int[] values;
    final Handle[] handles;

    Slots(int n) {
      values = new int[n];
      handles = new Handle[n];
    }
  }

  HandleTable(int key, int capacity) {
    this.key = key & VALUE_BITS_MASK;
    this.capacity = capacity;
  }

  /** Installs a handle; returns its value, or 0 if the table is closed (process dead) or full. */
  int add(Handle handle) {
    long stamp = lock.writeLock();
    try {
      if (closed || size >= capacity) {
        return 0;
      }
      return addLocked(handle);
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /** Installs all the handles or none; fills {@code values}. Returns false if closed or without room. */
  boolean addAll(Handle[] newHandles, int[] values) {
    long stamp = lock.writeLock();
    try {
      if (closed || size + newHandles.length > capacity) {
        return false;
      }
      for (int i = 0; i < newHandles.length; i++) {
        values[i] = addLocked(newHandles[i]);
      }
      return true;
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /** Whether {@code count} more handles fit now (a hint: the add itself decides). Lock-free when uncontended. */
  boolean hasRoomFor(int count) {
    long stamp = lock.tryOptimisticRead();
    if (stamp != 0) {
      boolean room = !closed && size + count <= capacity;
      if (lock.validate(stamp)) {
        return room;
      }
    }
    stamp = lock.readLock();
    try {
      return !closed && size + count <= capacity;
    } finally {
      lock.unlockRead(stamp);
    }
  }

  private int addLocked(Handle handle) {
    int value;
    do {
      value = scramble(counter++) << 2 | 3;
    } while (find(slots, value) != null);
    if ((size + 1) * 2 > slots.values.length) {
      grow();
    }
    insert(slots, value, handle);
    size++;
    return value;
  }

  private void grow() {
    Slots old = slots;
    Slots bigger = new Slots(old.values.length * 2);
    for (int i = 0; i < old.values.length; i++) {
      if (old.values[i] != 0) {
        insert(bigger, old.values[i], old.handles[i]);
      }
    }
    slots = bigger;
  }

  private static int slot(int value, int mask) {
    int h = value * 0x9E3779B9;
    return (h ^ (h >>> 16)) & mask;
  }

  private static void insert(Slots s, int value, Handle handle) {
    int mask = s.values.length - 1;
    int i = slot(value, mask);
    while (s.values[i] != 0) {
      i = (i + 1) & mask;
    }
    s.handles[i] = handle;
    s.values[i] = value;
  }

  /**
   * The handle at {@code value} in {@code s}, or null. Safe on a table being changed concurrently (the caller
   * then discards the answer): it stays in bounds and probes at most every slot once.
   */
  private static Handle find(Slots s, int value) {
    int[] values = s.values;
    Handle[] handles = s.handles;
    int mask = values.length - 1;
    int i = slot(value, mask);
    for (int probes = 0; probes < values.length; probes++) {
      int v = values[i];
      if (v == value) {
        return handles[i];
      }
      if (v == 0) {
        return null;
      }
      i = (i + 1) & mask;
    }
    return null;
  }

  private Handle removeLocked(int value) {
    if (value == 0) {
      return null;
    }
    Slots s = slots;
    int[] values = s.values;
    Handle[] handles = s.handles;
    int mask = values.length - 1;
    int i = slot(value, mask);
    while (values[i] != value) {
      if (values[i] == 0) {
        return null;
      }
      i = (i + 1) & mask;
    }
    Handle removed = handles[i];
    // Backward-shift deletion: move later entries of the probe run into the hole so lookups never stop early.
    int hole = i;
    int j = (i + 1) & mask;
    while (values[j] != 0) {
      int home = slot(values[j], mask);
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        values[hole] = values[j];
        handles[hole] = handles[j];
        hole = j;
      }
      j = (j + 1) & mask;
    }
    values[hole] = 0;
    handles[hole] = null;
    size--;
    return removed;
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

  Handle get(int value) {
    long stamp = lock.tryOptimisticRead();
    if (stamp != 0) {
      Handle h = find(slots, value);
      if (lock.validate(stamp)) {
        return h;
      }
    }
    stamp = lock.readLock();
    try {
      return find(slots, value);
    } finally {
      lock.unlockRead(stamp);
    }
  }

  Handle remove(int value) {
    long stamp = lock.writeLock();
    try {
      return removeLocked(value);
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /** Swaps the handle at {@code value} out and {@code replacement} in under a new value (zx_handle_replace). */
  int replace(int value, Handle replacement) {
    long stamp = lock.writeLock();
    try {
      if (removeLocked(value) == null || closed) {
        return 0;
      }
      return addLocked(replacement);
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /**
   * Removes every listed value (zx_channel_write's consumption), in order; a missing value, 0, or one already
   * removed earlier in the list leaves a null at its index.
   */
  Handle[] removeAll(int[] values) {
    Handle[] out = new Handle[values.length];
    long stamp = lock.writeLock();
    try {
      for (int i = 0; i < values.length; i++) {
        out[i] = removeLocked(values[i]);
      }
    } finally {
      lock.unlockWrite(stamp);
    }
    return out;
  }

  /** For each index: removes the value if {@code take[i]}, else just looks it up; in order, atomically. */
  Handle[] takeOrPeek(int[] values, boolean[] take) {
    Handle[] out = new Handle[values.length];
    long stamp = lock.writeLock();
    try {
      for (int i = 0; i < values.length; i++) {
        out[i] = take[i] ? removeLocked(values[i]) : find(slots, values[i]);
      }
    } finally {
      lock.unlockWrite(stamp);
    }
    return out;
  }

  int size() {
    long stamp = lock.readLock();
    try {
      return size;
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /** Closes the table for good and hands back every handle it held, for the dying process to release. */
  List<Handle> closeAll() {
    long stamp = lock.writeLock();
    try {
      closed = true;
      List<Handle> all = new ArrayList<>(size);
      Slots s = slots;
      for (int i = 0; i < s.values.length; i++) {
        if (s.values[i] != 0) {
          all.add(s.handles[i]);
        }
      }
      slots = new Slots(MIN_SLOTS);
      size = 0;
      return all;
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /** A consistent copy of the table, for introspection and invariant checks. */
  Map<Integer, Handle> snapshot() {
    long stamp = lock.readLock();
    try {
      Map<Integer, Handle> copy = new HashMap<>();
      Slots s = slots;
      for (int i = 0; i < s.values.length; i++) {
        if (s.values[i] != 0) {
          copy.put(s.values[i], s.handles[i]);
        }
      }
      return copy;
    } finally {
      lock.unlockRead(stamp);
    }
  }
}
