package dev.zxd.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The live processes, and the way from a session token to its process. */
public final class ProcessRegistry {
  private final ConcurrentHashMap<Long, Process> live = new ConcurrentHashMap<>();
  /** Live processes plus slots reserved for ones being made: what the limit is checked against. */
  private final AtomicInteger slots = new AtomicInteger();

  /** Takes a slot for a new process, or returns false (taking nothing) when {@code max} are in use. */
  boolean reserve(int max) {
    while (true) {
      int n = slots.get();
      if (n >= max) {
        return false;
      }
      if (slots.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** Adds a process made with a slot from {@link #reserve}. */
  void add(Process process) {
    live.put(process.koid(), process);
  }

  /** Removes a dying process and frees its slot. */
  void remove(Process process) {
    if (live.remove(process.koid(), process)) {
      slots.decrementAndGet();
    }
  }

  /** The live process with this koid, or null. */
  public Process get(long koid) {
    return live.get(koid);
  }

  /** The live process a session token belongs to, or null for a malformed, forged or dead session. */
  public Process resolve(String token) {
    long koid = SecretTokens.claimedId(token);
    if (koid < 0) {
      return null;
    }
    Process p = live.get(koid);
    if (p == null || !SecretTokens.matches(token, p.sessionSecret())) {
      return null;
    }
    return p;
  }

  public String tokenOf(Process process) {
    return SecretTokens.encode(process.koid(), process.sessionSecret());
  }

  public int size() {
    return live.size();
  }

  public List<Process> all() {
    return new ArrayList<>(live.values());
  }
}
