package dev.zxd.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** The live processes, and the way from a session token to its process. */
public final class ProcessRegistry {
  private final ConcurrentHashMap<Long, Process> live = new ConcurrentHashMap<>();

  void add(Process process) {
    live.put(process.koid(), process);
  }

  void remove(Process process) {
    live.remove(process.koid(), process);
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
