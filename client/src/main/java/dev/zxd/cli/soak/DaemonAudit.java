package dev.zxd.cli.soak;

import dev.zxd.cli.DebugConnection;
import dev.zxd.cli.Zxctl;

import dev.zxd.proto.v1.DebugDescribeObjectReply;
import dev.zxd.proto.v1.DebugDescribeObjectRequest;
import dev.zxd.proto.v1.DebugGrpc;
import dev.zxd.proto.v1.DebugListHandlesReply;
import dev.zxd.proto.v1.DebugListHandlesRequest;
import dev.zxd.proto.v1.DebugListProcessesRequest;
import dev.zxd.proto.v1.DebugStatsReply;
import dev.zxd.proto.v1.DebugStatsRequest;
import dev.zxd.proto.v1.HandleSummary;
import dev.zxd.proto.v1.ProcessSummary;
import dev.zxd.proto.v1.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the daemon itself says about the soak's objects, through the Debug service (with the admin token when
 * one is given). Before each soak process exits, the koids of every object in its handle table are noted;
 * after the run, each must be gone (DescribeObject: NOT_FOUND), no soak process may be listed, and the daemon's
 * object, handle, process and token counts must be back where they were before the run.
 */
final class DaemonAudit implements AutoCloseable {

  private final DebugConnection debug;
  private final Set<Long> koids = ConcurrentHashMap.newKeySet();
  private final Set<Long> pids = ConcurrentHashMap.newKeySet();
  private DebugStatsReply before;

  /** What was left behind. */
  record Leaks(long objects, long processes, Map<String, Long> byType, long objectsDelta, long handlesDelta,
      long processesDelta, long tokensDelta, long koidsChecked, List<String> examples) {
    long total() {
      return objects + processes + Math.max(0, objectsDelta) + Math.max(0, handlesDelta)
          + Math.max(0, processesDelta) + Math.max(0, tokensDelta);
    }
  }

  DaemonAudit(Zxctl.Target daemon) {
    debug = DebugConnection.open(daemon);
  }

  private DebugGrpc.DebugBlockingStub debug() {
    return debug.call();
  }

  DebugStatsReply stats() {
    return debug().stats(DebugStatsRequest.getDefaultInstance());
  }

  /** The counts to return to; also proves the Debug service answers (and the token is right) before the run. */
  void baseline() {
    before = stats();
  }

  DebugStatsReply before() {
    return before;
  }

  /** Notes the objects process {@code pid} holds, just before it exits. */
  void noteHandlesOf(long pid) {
    pids.add(pid);
    koids.add(pid);
    DebugListHandlesReply r = debug().listHandles(DebugListHandlesRequest.newBuilder().setProcessId(pid).build());
    if (r.getStatus() == Status.ZX_OK) {
      for (HandleSummary h : r.getHandlesList()) {
        koids.add(h.getKoid());
      }
    }
  }

  long koidsNoted() {
    return koids.size();
  }

  /**
   * Checks, retrying until {@code deadlineNanos} (System.nanoTime) since objects held only by a dying
   * session's streams go a moment after the exit returns.
   */
  Leaks leaks(long deadlineNanos) {
    Leaks l;
    while (true) {
      l = check();
      if (l.total() == 0 || System.nanoTime() >= deadlineNanos) {
        return l;
      }
      try {
        Thread.sleep(200); // polling the daemon's own counts until they settle, bounded by the deadline
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return l;
      }
    }
  }

  private Leaks check() {
    List<String> examples = new ArrayList<>();
    Map<String, Long> byType = new TreeMap<>();
    long objects = 0;
    for (long koid : koids) {
      DebugDescribeObjectReply r = debug().describeObject(DebugDescribeObjectRequest.newBuilder().setKoid(koid)
          .build());
      if (r.getStatus() != Status.ZX_ERR_NOT_FOUND) {
        objects++;
        byType.merge(r.getTypeName(), 1L, Long::sum);
        if (examples.size() < 10) {
          examples.add(r.getTypeName() + " " + koid + " still alive (" + r.getHandleCount() + " handles, "
              + r.getQueuedMessages() + " queued)");
        }
      }
    }
    long processes = 0;
    for (ProcessSummary p : debug().listProcesses(DebugListProcessesRequest.getDefaultInstance())
        .getProcessesList()) {
      if (pids.contains(p.getProcessId())) {
        processes++;
        if (examples.size() < 10) {
          examples.add("process " + p.getProcessId() + " (" + p.getName() + ") still listed");
        }
      }
    }
    DebugStatsReply after = stats();
    long dObjects = after.getObjects() - before.getObjects();
    long dHandles = after.getHandles() - before.getHandles();
    long dProcesses = (long) after.getProcesses() - before.getProcesses();
    long dTokens = after.getTokensOutstanding() - before.getTokensOutstanding();
    if (dObjects > 0 || dHandles > 0 || dProcesses > 0 || dTokens > 0) {
      examples.add("daemon counts above their level before the run: objects " + signed(dObjects) + ", handles "
          + signed(dHandles) + ", processes " + signed(dProcesses) + ", tokens " + signed(dTokens));
    }
    return new Leaks(objects, processes, byType, dObjects, dHandles, dProcesses, dTokens, koids.size(), examples);
  }

  private static String signed(long v) {
    return v > 0 ? "+" + v : Long.toString(v);
  }

  @Override
  public void close() {
    debug.close();
  }
}
