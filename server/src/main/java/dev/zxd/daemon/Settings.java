package dev.zxd.daemon;

import dev.zxd.kernel.KernelConfig;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The catalogue of every daemon setting, and a resolved configuration: defaults, then environment variables,
 * then command-line flags (later wins). {@link #print} is the documented list of settings and limits.
 */
public final class Settings {
  public static final Setting<ListenAddress> LISTEN = Setting.repeatable("listen", "127.0.0.1:7474",
      "Address to serve on: host:port (port 0 picks a free port), [::1]:port, or unix:/path (mode 0600). "
          + "Repeat for several; the environment variable takes a comma-separated list.",
      ListenAddress::parse);
  public static final Setting<Duration> LEASE = Setting.of("lease", "30s",
      "How long a process with no KeepAlive stream lives after its last call.", Setting::duration);
  public static final Setting<Duration> GRACE_PERIOD = Setting.of("grace-period", "10s",
      "How long a process lives after its client's last KeepAlive stream broke, before it is killed.",
      Setting::duration);
  public static final Setting<Duration> TOKEN_EXPIRY = Setting.of("token-expiry", "60s",
      "How long an unredeemed protocol-info token (Socket/DuplicateForProcess) stays valid.", Setting::duration);
  public static final Setting<Integer> MAX_HANDLES_PER_PROCESS = Setting.of("max-handles-per-process", "262144",
      "Handles one process may hold; beyond it syscalls that make handles return ZX_ERR_NO_RESOURCES.",
      Setting.intAtLeast(1));
  public static final Setting<Integer> MAX_PROCESSES = Setting.of("max-processes", "100000",
      "Live processes in the daemon; beyond it Process/Create returns ZX_ERR_NO_RESOURCES.",
      Setting.intAtLeast(1));
  public static final Setting<Long> MAX_VMO_BYTES = Setting.of("max-vmo-bytes", "1073741824",
      "Largest VMO, after rounding up to 4 KiB pages; larger: ZX_ERR_OUT_OF_RANGE.", Setting.longAtLeast(4096));
  public static final Setting<Long> MEMORY_BUDGET_BYTES = Setting.of("memory-budget-bytes", "4294967296",
      "Memory for data held inside objects: VMO pages, queued channel messages (payload + 64 bytes, + 16 per "
          + "handle), socket buffers and FIFO buffers; a syscall that would go beyond it: ZX_ERR_NO_MEMORY.",
      Setting.longAtLeast(4096));
  public static final Setting<Integer> MAX_CHANNEL_MESSAGES = Setting.of("max-channel-messages", "4096",
      "Messages waiting in one channel endpoint; a write beyond it returns ZX_ERR_SHOULD_WAIT (retry once the "
          + "reader has drained some).", Setting.intAtLeast(1));
  public static final Setting<Long> MAX_CHANNEL_BYTES = Setting.of("max-channel-bytes", "16777216",
      "Payload bytes waiting in one channel endpoint; a write beyond it returns ZX_ERR_SHOULD_WAIT. At least "
          + "65536, so any legal message fits an empty queue.", Setting.longAtLeast(65_536));
  public static final Setting<Integer> MAX_PENDING_WAITS_PER_PROCESS = Setting.of("max-pending-waits-per-process",
      "65536", "Waits one process may have pending at once (wait_one, wait_many, port_wait, wait_async, "
          + "channel_call); beyond it they return ZX_ERR_NO_RESOURCES.", Setting.intAtLeast(1));
  public static final Setting<Integer> MAX_FRAME_BYTES = Setting.of("max-frame-bytes", "4194304",
      "Largest gRPC request the daemon decodes; a larger one is refused with RESOURCE_EXHAUSTED.",
      Setting.intAtLeast(1 << 17));
  public static final Setting<Integer> FLOW_CONTROL_WINDOW = Setting.of("flow-control-window", "1048576",
      "HTTP/2 flow-control window per stream, in bytes (sized so several 64 KiB messages are in flight).",
      Setting.intAtLeast(65_535));
  public static final Setting<Integer> IO_THREADS = Setting.of("io-threads", "0",
      "Transport threads per listener (each serves its connections and runs their syscalls); 0 = two per core. "
          + "With one, a syscall that wakes another connection's wait replies on the same thread, with no "
          + "hand-off between threads; more let more cores serve many clients.", Setting.intAtLeast(0));

  public static final Setting<ListenAddress> METRICS = Setting.of("metrics", "off",
      "Serve Prometheus metrics at http://ADDRESS/metrics (host:port, port 0 = any free port), or off.",
      Settings::metricsAddress);
  public static final Setting<String> ADMIN_TOKEN = Setting.of("admin-token", "",
      "If set, Debug calls must carry it in the zx-admin metadata (else PERMISSION_DENIED). Never printed.",
      text -> text);
  public static final Setting<Integer> TRACE_BUFFER_EVENTS = Setting.of("trace-buffer-events", "65536",
      "Syscall trace events kept for readers; a reader further behind loses events and is told how many.",
      Setting.intAtLeast(16));

  public static final Setting<String> TLS_CERT = Setting.of("tls-cert", "",
      "PEM certificate chain for the TCP listeners; with --tls-key they serve TLS instead of plaintext.",
      text -> text);
  public static final Setting<String> TLS_KEY = Setting.of("tls-key", "",
      "PEM private key (PKCS#8) for --tls-cert.", text -> text);
  public static final Setting<String> TLS_CLIENT_CA = Setting.of("tls-client-ca", "",
      "PEM CA certificates; if set, clients must present a certificate it signed (mutual TLS).", text -> text);
  public static final Setting<Boolean> ALLOW_PLAINTEXT_TOKENS = Setting.of("allow-plaintext-tokens", "false",
      "Accept session and admin tokens (and hand out new ones) on plaintext TCP listeners bound to a "
          + "non-loopback address; otherwise such calls are refused, since the tokens would cross the network "
          + "in the clear.", Setting::bool);
  public static final Setting<Duration> STREAM_STALL_TIMEOUT = Setting.of("stream-stall-timeout", "30s",
      "How long a reply stream (Kernel/Invoke, Port/WaitStream, Debug/Trace) may hold replies its client is not "
          + "reading before the daemon ends it with RESOURCE_EXHAUSTED.", Setting::duration);

  public static final List<Setting<?>> ALL = List.of(
      LISTEN, LEASE, GRACE_PERIOD, TOKEN_EXPIRY, MAX_HANDLES_PER_PROCESS, MAX_PROCESSES, MAX_VMO_BYTES,
      MEMORY_BUDGET_BYTES, MAX_CHANNEL_MESSAGES, MAX_CHANNEL_BYTES, MAX_PENDING_WAITS_PER_PROCESS,
      MAX_FRAME_BYTES, FLOW_CONTROL_WINDOW, IO_THREADS, METRICS, ADMIN_TOKEN, TRACE_BUFFER_EVENTS,
      TLS_CERT, TLS_KEY, TLS_CLIENT_CA, ALLOW_PLAINTEXT_TOKENS, STREAM_STALL_TIMEOUT);

  private final Map<Setting<?>, List<Object>> values = new LinkedHashMap<>();

  private Settings() {}

  /** The defaults alone. */
  public static Settings defaults() {
    Settings s = new Settings();
    for (Setting<?> setting : ALL) {
      s.values.put(setting, List.of(setting.parse(setting.defaultText())));
    }
    return s;
  }

  /**
   * Defaults, overridden by a config file ({@code --config PATH} or ZXD_CONFIG: java properties, one
   * {@code name = value} per setting, comma-separated for listen), overridden by {@code env} (ZXD_* variables),
   * overridden by {@code args} (--name value).
   */
  public static Settings resolve(Map<String, String> env, List<String> args) {
    Settings s = defaults();
    List<String> flags = new ArrayList<>(args);
    String configFile = env.get("ZXD_CONFIG");
    for (int i = 0; i < flags.size(); i++) {
      String a = flags.get(i);
      if (a.equals("--config") && i + 1 < flags.size()) {
        configFile = flags.get(i + 1);
        flags.remove(i + 1);
        flags.remove(i);
        i--;
      } else if (a.startsWith("--config=")) {
        configFile = a.substring("--config=".length());
        flags.remove(i);
        i--;
      } else if (a.equals("--config")) {
        throw new IllegalArgumentException("--config needs a file");
      }
    }
    if (configFile != null && !configFile.isBlank()) {
      s.applyFile(java.nio.file.Path.of(configFile));
    }
    args = flags;
    for (Setting<?> setting : ALL) {
      String v = env.get(setting.envName());
      if (v != null && !v.isBlank()) {
        List<Object> parsed = new ArrayList<>();
        for (String part : setting.isRepeatable() ? v.split(",") : new String[] {v}) {
          parsed.add(setting.parse(part));
        }
        s.values.put(setting, parsed);
      }
    }
    Map<Setting<?>, List<Object>> fromFlags = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + arg + "'");
      }
      String name = arg.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      Setting<?> setting = find(name);
      if (value == null) {
        if (i + 1 >= args.size()) {
          throw new IllegalArgumentException("--" + name + " needs a value");
        }
        value = args.get(++i);
      }
      List<Object> list = fromFlags.computeIfAbsent(setting, k -> new ArrayList<>());
      if (!setting.isRepeatable()) {
        list.clear();
      }
      list.add(setting.parse(value));
    }
    s.values.putAll(fromFlags);
    return s;
  }

  private void applyFile(java.nio.file.Path path) {
    java.util.Properties props = new java.util.Properties();
    try (var in = java.nio.file.Files.newBufferedReader(path)) {
      props.load(in);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("cannot read config file " + path + ": " + e.getMessage());
    }
    for (String key : props.stringPropertyNames()) {
      Setting<?> setting = find(key.trim());
      List<Object> parsed = new ArrayList<>();
      String v = props.getProperty(key);
      for (String part : setting.isRepeatable() ? v.split(",") : new String[] {v}) {
        parsed.add(setting.parse(part));
      }
      values.put(setting, parsed);
    }
  }

  private static Setting<?> find(String name) {
    for (Setting<?> setting : ALL) {
      if (setting.name().equals(name)) {
        return setting;
      }
    }
    throw new IllegalArgumentException("unknown setting --" + name + " (see --print-config)");
  }

  @SuppressWarnings("unchecked")
  public <T> T get(Setting<T> setting) {
    return (T) values.get(setting).get(0);
  }

  @SuppressWarnings("unchecked")
  public <T> List<T> getAll(Setting<T> setting) {
    return (List<T>) values.get(setting);
  }

  private static ListenAddress metricsAddress(String text) {
    if (text.equals("off") || text.isEmpty()) {
      return new ListenAddress.InProcess("off");
    }
    ListenAddress a = ListenAddress.parse(text);
    if (!(a instanceof ListenAddress.Tcp)) {
      throw new IllegalArgumentException("metrics need host:port, got '" + text + "'");
    }
    return a;
  }

  /** Every setting's value in force, as text (secrets masked): for Debug/Stats and --print-config. */
  public java.util.Map<String, String> summary() {
    java.util.Map<String, String> out = new LinkedHashMap<>();
    for (Setting<?> setting : ALL) {
      out.put(setting.name(), display(setting));
    }
    return out;
  }

  private String display(Setting<?> setting) {
    List<Object> v = values.get(setting);
    if (setting == ADMIN_TOKEN) {
      return v.get(0).toString().isEmpty() ? "(none)" : "(set)";
    }
    if (setting == METRICS && v.get(0) instanceof ListenAddress.InProcess) {
      return "off";
    }
    return v.size() == 1 ? text(v.get(0)) : v.stream().map(Settings::text).toList().toString();
  }

  /** Values as one would write them on the command line (durations as 30s / 500ms, not PT30S). */
  private static String text(Object value) {
    if (value instanceof Duration d) {
      long ms = d.toMillis();
      return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }
    return String.valueOf(value);
  }

  public KernelConfig kernelConfig() {
    return new KernelConfig(get(MAX_HANDLES_PER_PROCESS), get(MAX_PROCESSES), get(LEASE), get(GRACE_PERIOD),
        get(TOKEN_EXPIRY), get(MAX_VMO_BYTES), get(MEMORY_BUDGET_BYTES), get(MAX_CHANNEL_MESSAGES),
        get(MAX_CHANNEL_BYTES), get(MAX_PENDING_WAITS_PER_PROCESS));
  }

  /** Prints every setting with its flag, environment variable, current value and meaning. */
  public void print(PrintStream out) {
    for (Setting<?> setting : ALL) {
      out.printf("--%-26s %-28s = %s%n", setting.name(), setting.envName(), display(setting));
      out.printf("    %s (default %s)%n", setting.description(), setting.defaultText());
    }
  }
}
