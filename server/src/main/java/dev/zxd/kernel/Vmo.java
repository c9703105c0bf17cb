package dev.zxd.kernel;

import com.google.protobuf.ByteString;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * A virtual memory object: a resizable run of bytes, committed a 4 KiB page at a time on first write (pages
 * never written read as zeros and cost nothing). Every process holding a handle sees the same bytes. Committed
 * pages are charged to the kernel's {@link MemoryBudget}.
 */
public final class Vmo extends KernelObject {
  public static final int PAGE_SIZE = 4096;
  public static final int RESIZABLE = 1 << 1;
  public static final int DISCARDABLE = 1 << 2;

  private final int options;
  private final Map<Long, byte[]> pages = new HashMap<>(); // guarded by lock: page index -> bytes
  private long size; // guarded by lock; always a multiple of PAGE_SIZE
  private String name = ""; // guarded by lock

  Vmo(Kernel kernel, long size, int options) {
    super(kernel, new Object(), Signals.VMO_ZERO_CHILDREN);
    this.size = size;
    this.options = options;
  }

  @Override
  public int type() {
    return ObjectType.VMO;
  }

  public int options() {
    return options;
  }

  public boolean isResizable() {
    return (options & RESIZABLE) != 0;
  }

  public long size() {
    synchronized (lock) {
      return size;
    }
  }

  public long committedBytes() {
    synchronized (lock) {
      return (long) pages.size() * PAGE_SIZE;
    }
  }

  String name() {
    synchronized (lock) {
      return name;
    }
  }

  void setName(String n) {
    synchronized (lock) {
      name = n;
    }
  }

  /** Whether [offset, offset + len) lies within the VMO (written so that no sum can overflow). */
  private boolean inRangeLocked(long offset, long len) {
    return offset >= 0 && offset <= size && len <= size - offset;
  }

  /** Rounds up to whole pages; -1 on overflow. */
  static long roundToPages(long bytes) {
    if (bytes < 0 || bytes > Long.MAX_VALUE - PAGE_SIZE) {
      return -1;
    }
    return (bytes + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
  }

  int read(long offset, int len, ByteString[] out) {
    synchronized (lock) {
      if (!inRangeLocked(offset, len)) {
        return Status.ERR_OUT_OF_RANGE;
      }
      byte[] buf = new byte[len];
      long pos = offset;
      int done = 0;
      while (done < len) {
        long index = pos / PAGE_SIZE;
        int within = (int) (pos % PAGE_SIZE);
        int n = Math.min(PAGE_SIZE - within, len - done);
        byte[] page = pages.get(index);
        if (page != null) {
          System.arraycopy(page, within, buf, done, n);
        }
        done += n;
        pos += n;
      }
      out[0] = ByteString.copyFrom(buf);
      return Status.OK;
    }
  }

  int write(long offset, ByteString data) {
    synchronized (lock) {
      int len = data.size();
      if (!inRangeLocked(offset, len)) {
        return Status.ERR_OUT_OF_RANGE;
      }
      // Charge the budget for every page this write commits before touching any of them.
      long first = offset / PAGE_SIZE;
      long last = len == 0 ? first - 1 : (offset + len - 1) / PAGE_SIZE;
      int newPages = 0;
      for (long i = first; i <= last; i++) {
        if (!pages.containsKey(i)) {
          newPages++;
        }
      }
      if (newPages > 0 && !kernel.memory().reserve((long) newPages * PAGE_SIZE)) {
        return Status.ERR_NO_MEMORY;
      }
      long pos = offset;
      int done = 0;
      while (done < len) {
        long index = pos / PAGE_SIZE;
        int within = (int) (pos % PAGE_SIZE);
        int n = Math.min(PAGE_SIZE - within, len - done);
        byte[] page = pages.computeIfAbsent(index, k -> new byte[PAGE_SIZE]);
        data.copyTo(page, done, within, n);
        done += n;
        pos += n;
      }
      return Status.OK;
    }
  }

  /** Resizes to {@code newSize} (already page-rounded). Bytes past the new end are dropped, so they read as 0. */
  int setSize(long newSize) {
    synchronized (lock) {
      if (!isResizable()) {
        return Status.ERR_UNAVAILABLE;
      }
      if (newSize < size) {
        long firstGone = newSize / PAGE_SIZE;
        int freed = 0;
        for (Iterator<Map.Entry<Long, byte[]>> it = pages.entrySet().iterator(); it.hasNext(); ) {
          if (it.next().getKey() >= firstGone) {
            it.remove();
            freed++;
          }
        }
        kernel.memory().release((long) freed * PAGE_SIZE);
      }
      size = newSize;
      return Status.OK;
    }
  }

  @Override
  protected void onZeroHandlesLocked(Wakeups wakeups) {
    kernel.memory().release((long) pages.size() * PAGE_SIZE);
    pages.clear();
  }
}
