package dev.zxd.kernel;

import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The kernel: every object, process and deadline of one simulated system, and the syscalls over them, grouped
 * by family as the API is ({@code kernel.channel().write(...)}).
 */
public final class Kernel implements AutoCloseable {
  private static final long FIRST_KOID = 1024;

  private final KernelConfig config;
  private final MonotonicClock clock = new MonotonicClock();
  private final Timers timers = new Timers(clock);
  private final SecureRandom random = new SecureRandom();
  private final AtomicLong nextKoid = new AtomicLong(FIRST_KOID);
  private final ObjectRegistry objects = new ObjectRegistry();
  private final ProcessRegistry processes = new ProcessRegistry();
  private final List<DeathListener> deathListeners = new CopyOnWriteArrayList<>();

  /** Told of every process death, with the handles the process still held (now closed): the leak report. */
  public interface DeathListener {
    void onDeath(Process process, List<Handle> heldAtDeath);
  }

  private final HandleSyscalls handle = new HandleSyscalls();
  private final ObjectSyscalls object = new ObjectSyscalls(this);
  private final ChannelSyscalls channel = new ChannelSyscalls(this);
  private final EventSyscalls event = new EventSyscalls(this);
  private final ProcessSyscalls process = new ProcessSyscalls(this);
  private final SocketSyscalls socket = new SocketSyscalls(this);
  private final PortSyscalls port = new PortSyscalls(this);
  private final TimerSyscalls timer = new TimerSyscalls(this);
  private final VmoSyscalls vmo = new VmoSyscalls(this);
  private final FifoSyscalls fifo = new FifoSyscalls(this);
  private final MemoryBudget memory;
  private final ProtocolInfoTokens tokens = new ProtocolInfoTokens(this);
  private final CycleCollector cycles = new CycleCollector(this);

  public Kernel(KernelConfig config) {
    this.config = config;
    this.memory = new MemoryBudget(config.memoryBudgetBytes());
  }

  public Kernel() {
    this(KernelConfig.DEFAULTS);
  }

  public KernelConfig config() {
    return config;
  }

  public MonotonicClock clock() {
    return clock;
  }

  public Timers timers() {
    return timers;
  }

  /** Every live object, by koid. */
  public ObjectRegistry objects() {
    return objects;
  }

  /** Every live process, and sessions. */
  public ProcessRegistry processes() {
    return processes;
  }

  public HandleSyscalls handle() {
    return handle;
  }

  public ObjectSyscalls object() {
    return object;
  }

  public ChannelSyscalls channel() {
    return channel;
  }

  public EventSyscalls event() {
    return event;
  }

  public ProcessSyscalls process() {
    return process;
  }

  public SocketSyscalls socket() {
    return socket;
  }

  public PortSyscalls port() {
    return port;
  }

  public TimerSyscalls timer() {
    return timer;
  }

  public VmoSyscalls vmo() {
    return vmo;
  }

  public FifoSyscalls fifo() {
    return fifo;
  }

  /** The budget for data held inside objects. */
  public MemoryBudget memory() {
    return memory;
  }

  /** Outstanding protocol-info tokens. */
  public ProtocolInfoTokens tokens() {
    return tokens;
  }

  /** The collector of channel reference cycles no process can reach. */
  public CycleCollector cycles() {
    return cycles;
  }

  /** Called after a process has died and its handles are closed (metrics, leak reports). */
  public void addDeathListener(DeathListener listener) {
    deathListeners.add(listener);
  }

  SecureRandom random() {
    return random;
  }

  long newKoid() {
    return nextKoid.getAndIncrement();
  }

  /** A new process, or null (nothing made) when the daemon already has {@code maxProcesses}. */
  Process newProcess(String name, Process parent) {
    if (!processes.reserve(config.maxProcesses())) {
      return null;
    }
    Process p = new Process(this, name, parent == null ? 0 : parent.koid(), parent == null);
    processes.add(p);
    p.lease().start();
    return p;
  }

  void onProcessDeath(Process p, List<Handle> held) {
    tokens.dropTargeting(p.koid());
    cycles.request();
    for (DeathListener l : deathListeners) {
      l.onDeath(p, held);
    }
  }

  /** Ends every process (peers see PEER_CLOSED as usual) and stops the timers. */
  @Override
  public void close() {
    for (Process p : processes.all()) {
      p.kill(Process.RETCODE_SHUTDOWN);
    }
    cycles.collect();
    timers.close();
  }
}
