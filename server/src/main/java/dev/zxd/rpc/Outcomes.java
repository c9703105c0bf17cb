package dev.zxd.rpc;

import dev.zxd.kernel.Status;

/**
 * What became of the last {@code limit} requests admitted on one syscall stream, by client id, for later
 * pipelined references (refs) and orderings (after). Not thread-safe: the stream guards it.
 *
 * <p>A stream remembers up to 65 536 requests and may carry hundreds of thousands per second, so this keeps no
 * object per request: entries are columns of a ring in admission order. An entry is named by its ticket (its
 * admission number); once 'limit' newer requests have been admitted the entry is forgotten, and a completion
 * that arrives for a forgotten ticket is dropped. Storage starts small and doubles up to the limit, so a quiet
 * stream costs a few kilobytes.
 *
 * <p>Finding an id: clients almost always number requests 1, 2, 3..., and while they do, an id's ticket is
 * the id minus a fixed offset, with no index at all. The first id out of that sequence switches the stream for
 * good to a hash index (open addressing, linear probing, a per-stream random seed so no client can choose ids
 * that collide). A hash scatters consecutive ids over a table of megabytes, and its cache misses cost more than
 * all the rest of a pipelined syscall's bookkeeping; that is why the sequential case goes without.
 */
final class Outcomes {
  /** find(): the id was never admitted on this stream, or has been forgotten. */
  static final long UNKNOWN = -1;

  private final int limit;
  // The ring, indexed by ticket & (capacity - 1).
  private long[] ids;
  private boolean[] done;
  private int[] statuses;
  private int[] firstOutput;
  private int[] secondOutput;
  private byte[] outputCount; // up to 2 inline; more in overflow
  private int[][] overflow; // null unless an entry has more than two outputs
  private long admitted; // tickets handed out so far
  // While every id admitted so far was one more than the one before: ticket = id - sequenceOffset.
  private boolean sequential = true;
  private long sequenceOffset;
  // Once not sequential, the index: id -> ticket of its newest entry; twice the ring's size, each slot a pair
  // (id at 2i, ticket at 2i + 1, UNKNOWN when empty) so a probe touches one cache line.
  private long[] index;
  private final long seed = java.util.concurrent.ThreadLocalRandom.current().nextLong();

  Outcomes(int limit) {
    if (Integer.bitCount(limit) != 1) {
      throw new IllegalArgumentException("limit must be a power of two: " + limit);
    }
    this.limit = limit;
    allocate(Math.min(64, limit));
  }

  /** Records a new pending request {@code id}; its ticket names the entry from now on. */
  long admit(long id) {
    int capacity = ids.length;
    if (admitted >= capacity) {
      if (capacity < limit) {
        grow();
        capacity = ids.length;
      } else {
        forget(admitted - capacity); // the oldest entry gives way
      }
    }
    long ticket = admitted++;
    int slot = (int) (ticket & (capacity - 1));
    ids[slot] = id;
    done[slot] = false;
    statuses[slot] = Status.OK;
    outputCount[slot] = 0;
    if (overflow != null) {
      overflow[slot] = null;
    }
    if (sequential) {
      if (ticket == 0) {
        sequenceOffset = id;
      } else if (id - sequenceOffset != ticket) {
        startIndex();
      }
    }
    if (!sequential) {
      indexPut(id, ticket);
    }
    return ticket;
  }

  /** The ticket of the newest remembered request {@code id}, or UNKNOWN. */
  long find(long id) {
    if (sequential) {
      long ticket = id - sequenceOffset;
      return remembered(ticket) ? ticket : UNKNOWN;
    }
    int mask = (index.length >> 1) - 1;
    for (int i = home(id, mask); ; i = (i + 1) & mask) {
      long t = index[2 * i + 1];
      if (t == UNKNOWN) {
        return UNKNOWN;
      }
      if (index[2 * i] == id) {
        return t;
      }
    }
  }

  /** Whether {@code ticket} still names a remembered entry. */
  boolean remembered(long ticket) {
    return ticket >= 0 && ticket < admitted && admitted - ticket <= ids.length;
  }

  boolean isDone(long ticket) {
    return done[slot(ticket)];
  }

  /** Marks the request done with its status and output handles (dropped if the entry was forgotten). */
  void complete(long ticket, int status, int[] outputs) {
    if (!remembered(ticket)) {
      return;
    }
    int slot = slot(ticket);
    done[slot] = true;
    statuses[slot] = status;
    int n = outputs.length;
    outputCount[slot] = (byte) Math.min(n, 3);
    if (n > 0) {
      firstOutput[slot] = outputs[0];
    }
    if (n > 1) {
      secondOutput[slot] = outputs[1];
    }
    if (n > 2) {
      if (overflow == null) {
        overflow = new int[ids.length][];
      }
      overflow[slot] = outputs;
    }
  }

  /**
   * Output {@code index} of the remembered request {@code id}, which must have completed with ZX_OK: the handle
   * value, or 0 with the reason in {@code why[0]} ({@code k} is the reference's position, for the message).
   */
  int output(long id, int index, int k, String[] why) {
    long ticket = find(id);
    if (ticket == UNKNOWN) {
      why[0] = "refs[" + k + "] names request " + id + ", unknown on this stream";
      return 0;
    }
    int slot = slot(ticket);
    if (!done[slot]) {
      why[0] = "refs[" + k + "] names request " + id + ", which has not completed";
      return 0;
    }
    if (statuses[slot] != Status.OK) {
      why[0] = "refs[" + k + "] names request " + id + ", which failed with " + Status.name(statuses[slot]);
      return 0;
    }
    int count = outputCount[slot] < 3 ? outputCount[slot] : overflow[slot].length;
    if (index < 0 || index >= count) {
      why[0] = "refs[" + k + "] names output " + Integer.toUnsignedString(index) + " of request " + id
          + ", which has " + count;
      return 0;
    }
    return index == 0 ? firstOutput[slot] : index == 1 ? secondOutput[slot] : overflow[slot][index];
  }

  private int slot(long ticket) {
    return (int) (ticket & (ids.length - 1));
  }

  private void forget(long ticket) {
    int slot = slot(ticket);
    if (overflow != null) {
      overflow[slot] = null;
    }
    if (!sequential) {
      indexRemove(ids[slot], ticket);
    }
  }

  /** Leaves the sequential case: indexes every remembered entry, oldest first so reused ids name the newest. */
  private void startIndex() {
    sequential = false;
    allocateIndex();
    for (long t = Math.max(0, admitted - ids.length); t < admitted; t++) {
      indexPut(ids[slot(t)], t);
    }
  }

  private void allocateIndex() {
    index = new long[ids.length * 4];
    for (int i = 1; i < index.length; i += 2) {
      index[i] = UNKNOWN;
    }
  }

  private void allocate(int capacity) {
    ids = new long[capacity];
    done = new boolean[capacity];
    statuses = new int[capacity];
    firstOutput = new int[capacity];
    secondOutput = new int[capacity];
    outputCount = new byte[capacity];
  }

  /** Doubles the ring (only while it is full and below the limit, so every ticket so far is still held). */
  private void grow() {
    long[] oldIds = ids;
    boolean[] oldDone = done;
    int[] oldStatuses = statuses;
    int[] oldFirst = firstOutput;
    int[] oldSecond = secondOutput;
    byte[] oldCount = outputCount;
    int[][] oldOverflow = overflow;
    int oldCapacity = oldIds.length;
    allocate(oldCapacity * 2);
    overflow = oldOverflow == null ? null : new int[ids.length][];
    for (long t = admitted - oldCapacity; t < admitted; t++) {
      int from = (int) (t & (oldCapacity - 1));
      int to = slot(t);
      ids[to] = oldIds[from];
      done[to] = oldDone[from];
      statuses[to] = oldStatuses[from];
      firstOutput[to] = oldFirst[from];
      secondOutput[to] = oldSecond[from];
      outputCount[to] = oldCount[from];
      if (oldOverflow != null) {
        overflow[to] = oldOverflow[from];
      }
    }
    if (!sequential) {
      allocateIndex(); // re-indexed in admission order, so a reused id ends up naming its newest entry
      for (long t = admitted - oldCapacity; t < admitted; t++) {
        indexPut(ids[slot(t)], t);
      }
    }
  }

  private void indexPut(long id, long ticket) {
    int mask = (index.length >> 1) - 1;
    for (int i = home(id, mask); ; i = (i + 1) & mask) {
      if (index[2 * i + 1] == UNKNOWN || index[2 * i] == id) {
        index[2 * i] = id;
        index[2 * i + 1] = ticket;
        return;
      }
    }
  }

  /** Removes id's index entry if it still names {@code ticket} (a newer entry for a reused id stays). */
  private void indexRemove(long id, long ticket) {
    int mask = (index.length >> 1) - 1;
    int i = home(id, mask);
    while (true) {
      if (index[2 * i + 1] == UNKNOWN) {
        return;
      }
      if (index[2 * i] == id) {
        break;
      }
      i = (i + 1) & mask;
    }
    if (index[2 * i + 1] != ticket) {
      return;
    }
    // Backward-shift deletion: move later members of the probe run into the hole so lookups never stop early.
    int hole = i;
    for (int j = (hole + 1) & mask; index[2 * j + 1] != UNKNOWN; j = (j + 1) & mask) {
      int home = home(index[2 * j], mask);
      boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
      if (movable) {
        index[2 * hole] = index[2 * j];
        index[2 * hole + 1] = index[2 * j + 1];
        hole = j;
      }
    }
    index[2 * hole + 1] = UNKNOWN;
  }

  /** Where id's probe starts: a seeded scattering hash. */
  private int home(long id, int mask) {
    long h = (id ^ seed) * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }
}
