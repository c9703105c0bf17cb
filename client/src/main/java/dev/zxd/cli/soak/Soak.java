package dev.zxd.cli.soak;

import dev.zxd.client.Channel;
import dev.zxd.client.Disposition;
import dev.zxd.client.Handle;
import dev.zxd.client.ProcessHandle;
import dev.zxd.client.Socket;
import dev.zxd.client.ZxProcess;
import dev.zxd.client.Zxd;
import dev.zxd.proto.v1.Signal;
import dev.zxd.proto.v1.SocketOption;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One soak run. A launcher process (on its own connection) starts every soak process as its child, with one end
 * of a bootstrap channel, and hands out the ends of every link through those channels. The processes then step
 * (see {@link SoakProcess}) on a few lanes: each lane takes a process from the ready queue, runs one of its
 * steps asynchronously and puts it back, so at most {@code lanes} syscalls are in flight whatever the number of
 * processes, and no thread is tied to a process. Every {@code churnEvery} one process is told to exit (it
 * drains, then the coordinator exits it) and a new one joins with fresh links to random others. At the end
 * every process drains and exits, then the launcher, and the daemon is audited.
 */
final class Soak {
  /** What to run. */
  record Config(String target, int processes, long durationNanos, int lanes, int window, double moveChance,
      long churnEveryNanos, long seed, long progressEveryNanos, long drainNanos) {}

  final Config config;
  final int window;
  final double moveChance;
  final SequenceChecker checker = new SequenceChecker();
  final Object moveLock = new Object();

  final AtomicLong writes = new AtomicLong();
  final AtomicLong moves = new AtomicLong();
  final AtomicLong shares = new AtomicLong();
  final AtomicLong tokens = new AtomicLong();
  final AtomicLong peerClosedSeen = new AtomicLong();
  final AtomicLong peerClosedMissing = new AtomicLong();
  final AtomicLong linksRetired = new AtomicLong();
  final AtomicLong steps = new AtomicLong();
  /** Phases: starting the processes and links; running; draining and exiting everything. */
  long setupNanos;
  long runNanos;
  long drainNanos;
  long joins;
  long exits;
  long forcedExits;
  int peakProcesses;

  private final PrintWriter err;
  private final DaemonAudit audit;
  private final Random random;
  private final Map<Long, Link> links = new ConcurrentHashMap<>();
  private final AtomicLong nextLinkId = new AtomicLong(1);
  private final List<String> problems = new ArrayList<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  private final List<Zxd> connections = new ArrayList<>();
  private Zxd launcherConnection;
  private ZxProcess launcher;
  private final Map<SoakProcess, ProcessHandle> childHandles = new HashMap<>();
  private final Map<SoakProcess, Channel> bootChannels = new HashMap<>();
  private final List<SoakProcess> live = new ArrayList<>(); // coordinator thread only
  private int spawned;

  private final ConcurrentLinkedQueue<SoakProcess> ready = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<SoakProcess> drained = new ConcurrentLinkedQueue<>();
  private final ScheduledExecutorService backoff = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "soak-backoff");
    t.setDaemon(true);
    return t;
  });
  private final AtomicInteger readyCount = new AtomicInteger(); // ready.size() is a walk of the queue
  private final AtomicInteger activeLanes = new AtomicInteger();
  private volatile boolean stopLanes;
  private long began;

  Soak(Config config, PrintWriter err, DaemonAudit audit) {
    this.config = config;
    this.window = config.window();
    this.moveChance = config.moveChance();
    this.err = err;
    this.audit = audit;
    this.random = new Random(config.seed());
  }

  // ---- what processes report ----

  /** The daemon answered something the protocol rules out: the run stops and fails. */
  RuntimeException protocolError(String what) {
    IllegalStateException e = new IllegalStateException(what);
    if (failure.compareAndSet(null, e)) {
      problem(what);
    }
    return e;
  }

  void peerClosedMissing(String what) {
    peerClosedMissing.incrementAndGet();
    problem(what);
  }

  private void problem(String what) {
    synchronized (problems) {
      if (problems.size() < 20) {
        problems.add(what);
      }
    }
  }

  List<String> problems() {
    synchronized (problems) {
      return List.copyOf(problems);
    }
  }

  Throwable failure() {
    return failure.get();
  }

  Link.End end(long linkId, boolean tx) {
    Link l = links.get(linkId);
    if (l == null) {
      throw protocolError("an end of unknown link " + linkId + " arrived");
    }
    return tx ? l.tx : l.rx;
  }

  /** Both ends of {@code link} are closed: it can have no more traffic, so its stream is final. */
  void retired(Link link) {
    if (link.tx.closed && link.rx.closed && links.remove(link.id) != null) {
      link.check.finish();
      linksRetired.incrementAndGet();
    }
  }

  int liveLinks() {
    return links.size();
  }

  // ---- the run ----

  /** Runs it all; the caller reads the counters and the checker afterwards. */
  void run() {
    long t0 = System.nanoTime();
    began = t0;
    try {
      launcherConnection = Zxd.connect(config.target());
      launcher = launcherConnection.createProcess("soak-launcher");
      for (int i = 0; i < (config.processes() + 49) / 50; i++) {
        connections.add(Zxd.connect(config.target()));
      }
      setUp();
      long start = System.nanoTime();
      setupNanos = start - t0;
      live.forEach(this::makeReady);
      int lanes = Math.max(1, Math.min(config.lanes(), config.processes()));
      for (int i = 0; i < lanes; i++) {
        activeLanes.incrementAndGet();
        lane(0);
      }
      coordinate(start);
    } finally {
      stopLanes = true;
      awaitLanes();
      forceExitRest();
      closeLauncher();
      connections.forEach(Zxd::close);
      if (launcherConnection != null) {
        launcherConnection.close();
      }
      backoff.shutdownNow();
    }
  }

  private void setUp() {
    int n = config.processes();
    long lastPrint = System.nanoTime();
    for (int i = 0; i < n; i++) {
      live.add(spawn());
      if (System.nanoTime() - lastPrint >= config.progressEveryNanos()) {
        lastPrint = System.nanoTime();
        progress("setting up: " + (i + 1) + " of " + n + " processes started");
      }
    }
    for (int i = 0; i < n; i++) {
      SoakProcess p = live.get(i);
      connect(Link.Kind.CHANNEL, p, live.get((i + 1) % n));
      connect(Link.Kind.STREAM, p, live.get((i + 2) % n));
      if (i % 2 == 0) {
        connect(Link.Kind.DATAGRAM, p, live.get((i + n / 2) % n));
      }
      if (System.nanoTime() - lastPrint >= config.progressEveryNanos()) {
        lastPrint = System.nanoTime();
        progress("setting up: links of " + (i + 1) + " of " + n + " processes made");
      }
    }
    peakProcesses = n;
  }

  /** The launcher makes a child, starts it with a bootstrap channel, and a client attaches as it. */
  private SoakProcess spawn() {
    String name = "soak-" + (++spawned);
    ProcessHandle.Child child = launcher.createChild(name);
    Channel.Pair boot = launcher.createChannel();
    child.handle().start(boot.end1());
    ZxProcess process = connections.get(spawned % connections.size()).attach(child.sessionToken());
    int bootHandle = process.startupInfo().arg1().value();
    Link bootLink = newLink(Link.Kind.BOOT);
    bootLink.tx.handle = boot.end0().value();
    SoakProcess p = new SoakProcess(this, name, process, bootLink, bootHandle, random.nextLong());
    childHandles.put(p, child.handle());
    bootChannels.put(p, boot.end0());
    return p;
  }

  private Link newLink(Link.Kind kind) {
    Link l = new Link(nextLinkId.getAndIncrement(), kind, checker);
    links.put(l.id, l);
    return l;
  }

  /** A new link written by {@code writer} and read by {@code reader}: made by the launcher, ends sent to them. */
  private void connect(Link.Kind kind, SoakProcess writer, SoakProcess reader) {
    Link l = newLink(kind);
    Handle end0;
    Handle end1;
    if (kind == Link.Kind.CHANNEL) {
      Channel.Pair pair = launcher.createChannel();
      end0 = pair.end0();
      end1 = pair.end1();
    } else {
      int options = kind == Link.Kind.STREAM
          ? SocketOption.ZX_SOCKET_STREAM_VALUE | SocketOption.ZX_SOCKET_HAS_ACCEPT_VALUE
          : SocketOption.ZX_SOCKET_DATAGRAM_VALUE;
      Socket.Pair pair = launcher.createSocket(options);
      end0 = pair.end0();
      end1 = pair.end1();
    }
    give(writer, end0, l.tx);
    give(reader, end1, l.rx);
  }

  /** Moves one of the launcher's handles to {@code p} over its bootstrap channel, as a numbered MOVE message. */
  private void give(SoakProcess p, Handle h, Link.End end) {
    Link boot = p.boot;
    long seq = boot.reserveControl();
    try {
      bootChannels.get(p).writeEtc(Wire.move(boot.id, seq, end), Disposition.move(h));
      boot.written(seq, 1, 1);
    } catch (RuntimeException e) {
      boot.written(seq, 1, 0);
      throw protocolError("giving " + end + " to " + p + ": " + e.getMessage());
    }
  }

  // ---- lanes ----

  /**
   * One lane: steps ready processes one after another, asynchronously. After a whole round of idle steps it
   * backs off (1 ms, doubling up to 16 ms while nothing happens) instead of spinning.
   */
  private void lane(int backoffMillis) {
    int idle = 0;
    while (true) {
      if (stopLanes) {
        activeLanes.decrementAndGet();
        return;
      }
      if (idle > readyCount.get()) {
        int next = backoffMillis == 0 ? 1 : Math.min(16, backoffMillis * 2);
        backoff.schedule(() -> lane(next), next, TimeUnit.MILLISECONDS);
        return;
      }
      SoakProcess p = ready.poll();
      if (p == null) {
        int next = backoffMillis == 0 ? 1 : Math.min(16, backoffMillis * 2);
        backoff.schedule(() -> lane(next), next, TimeUnit.MILLISECONDS);
        return;
      }
      readyCount.decrementAndGet();
      java.util.concurrent.CompletableFuture<Boolean> f;
      try {
        f = p.step();
      } catch (RuntimeException e) {
        protocolError(p + ": " + e);
        continue; // p stays out of the queue: it is stuck, and is exited by force at the end
      }
      steps.incrementAndGet();
      if (f.isDone()) {
        if (afterStep(p, f)) {
          idle = 0;
          backoffMillis = 0;
        } else {
          idle++;
        }
        continue;
      }
      f.whenComplete((v, t) -> {
        afterStep(p, f);
        lane(0);
      });
      return;
    }
  }

  /** Puts {@code p} back (or hands it to the coordinator when drained); true if the step did something. */
  private boolean afterStep(SoakProcess p, java.util.concurrent.CompletableFuture<Boolean> f) {
    Boolean did;
    try {
      did = f.join();
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      protocolError(p + ": " + cause.getMessage());
      return true;
    }
    if (p.state == SoakProcess.State.DRAINED) {
      drained.add(p);
    } else {
      makeReady(p);
    }
    return did;
  }

  private void makeReady(SoakProcess p) {
    readyCount.incrementAndGet();
    ready.add(p);
  }

  private void awaitLanes() {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (activeLanes.get() > 0 && System.nanoTime() < until) {
      sleepMillis(5);
    }
  }

  // ---- the coordinator ----

  private void coordinate(long start) {
    long end = start + config.durationNanos();
    long nextChurn = start + config.churnEveryNanos();
    long lastPrint = start;
    boolean ending = false;
    long drainDeadline = Long.MAX_VALUE;
    while (true) {
      long now = System.nanoTime();
      exitDrained();
      if (!ending && (now >= end || failure.get() != null)) {
        ending = true;
        runNanos = now - start;
        drainDeadline = now + config.drainNanos();
        for (SoakProcess p : live) {
          p.state = p.state == SoakProcess.State.RUNNING ? SoakProcess.State.EXITING : p.state;
        }
        progress("stopping: every process drains its links and exits");
      }
      if (ending && live.isEmpty()) {
        drainNanos = System.nanoTime() - (start + runNanos);
        break;
      }
      if (ending && now >= drainDeadline) {
        problem("drain: " + live.size() + " processes did not drain within "
            + TimeUnit.NANOSECONDS.toSeconds(config.drainNanos()) + " s");
        failure.compareAndSet(null, new IllegalStateException("drain timed out"));
        drainNanos = now - (start + runNanos);
        break;
      }
      if (!ending && config.churnEveryNanos() > 0 && now >= nextChurn) {
        nextChurn = now + config.churnEveryNanos();
        churn();
      }
      if (now - lastPrint >= config.progressEveryNanos()) {
        lastPrint = now;
        long[] sr = checker.sentReceived();
        progress(String.format("processes %d  links %d  sent %,d  received %,d  moves %d  shares %d  tokens %d  "
            + "exits %d  joins %d", live.size(), links.size(), sr[0], sr[1], moves.get(), shares.get(), tokens.get(),
            exits, joins));
      }
      sleepMillis(5);
    }
  }

  /** One progress line; the time is since the run began (setup included). */
  private void progress(String what) {
    if (err != null) {
      err.printf("soak: %6.1fs  %s%n", (System.nanoTime() - began) / 1e9, what);
      err.flush();
    }
  }

  /** One process told to exit, one new one joining with four links to random running ones. */
  private void churn() {
    List<SoakProcess> running = new ArrayList<>();
    for (SoakProcess p : live) {
      if (p.state == SoakProcess.State.RUNNING) {
        running.add(p);
      }
    }
    if (running.size() > 2) {
      running.remove(random.nextInt(running.size())).state = SoakProcess.State.EXITING;
    }
    if (running.isEmpty()) {
      return;
    }
    SoakProcess j = spawn();
    live.add(j);
    joins++;
    connect(Link.Kind.CHANNEL, j, pick(running));
    connect(Link.Kind.CHANNEL, pick(running), j);
    connect(Link.Kind.STREAM, j, pick(running));
    connect(Link.Kind.DATAGRAM, pick(running), j);
    peakProcesses = Math.max(peakProcesses, live.size());
    makeReady(j);
  }

  private SoakProcess pick(List<SoakProcess> from) {
    return from.get(random.nextInt(from.size()));
  }

  /** Exits every process that has drained, and the launcher closes its handles to it. */
  private void exitDrained() {
    SoakProcess p;
    while ((p = drained.poll()) != null) {
      exit(p);
      exits++;
    }
  }

  private void exit(SoakProcess p) {
    try {
      audit.noteHandlesOf(p.pid);
    } catch (RuntimeException e) {
      problem("Debug ListHandles of " + p + ": " + e.getMessage());
    }
    p.stream.close();
    p.process.exit(0);
    p.state = SoakProcess.State.EXITED;
    live.remove(p);
    p.boot.rx.closed = true;
    for (Link.End e : p.held) {
      e.closed = true;
      retired(e.link);
    }
    Channel boot = bootChannels.remove(p);
    if ((boot.signals() & Signal.ZX_CHANNEL_PEER_CLOSED_VALUE) != 0) {
      peerClosedSeen.incrementAndGet();
    } else {
      peerClosedMissing(p + "'s bootstrap channel: no PEER_CLOSED after it exited");
    }
    boot.close();
    p.boot.tx.closed = true;
    retired(p.boot);
    childHandles.remove(p).close();
  }

  /** Processes that never drained (a failed run): exited anyway, so the daemon is left clean. */
  private void forceExitRest() {
    for (SoakProcess p : new ArrayList<>(live)) {
      try {
        forcedExits++;
        exit(p);
      } catch (RuntimeException e) {
        problem("exiting " + p + ": " + e.getMessage());
      }
    }
  }

  private void closeLauncher() {
    if (launcher == null) {
      return;
    }
    try {
      audit.noteHandlesOf(launcher.koid());
    } catch (RuntimeException e) {
      problem("Debug ListHandles of the launcher: " + e.getMessage());
    }
    launcher.close();
  }

  private static void sleepMillis(long ms) {
    try {
      Thread.sleep(ms); // the coordinator's tick: churn and progress are paced by the clock on purpose
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
