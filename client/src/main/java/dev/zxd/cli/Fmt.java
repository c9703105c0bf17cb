package dev.zxd.cli;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import dev.zxd.proto.v1.Signal;
import dev.zxd.proto.v1.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** How zxctl writes values for people. */
final class Fmt {
  private Fmt() {}

  /** A handle value: {@code 0x1762946f}. */
  static String handle(int value) {
    return String.format("0x%08x", value);
  }

  /** A rights or options mask: {@code 0xf00e}. */
  static String mask(int bits) {
    return "0x" + Integer.toHexString(bits);
  }

  /** A koid, or "-" for none (0). */
  static String koid(long koid) {
    return koid == 0 ? "-" : Long.toUnsignedString(koid);
  }

  /** A text that may be empty: "-" then. */
  static String text(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }

  /** The Zircon name of a status value ({@code ZX_ERR_NOT_FOUND}), or its number when unknown. */
  static String status(int value) {
    Status s = Status.forNumber(value);
    return s == null ? "status(" + value + ")" : s.name();
  }

  /** Nanoseconds for people: {@code 850ms}, {@code 12.345s}, {@code 4m05s}, {@code 2h03m}, {@code 3d04h}. */
  static String duration(long nanos) {
    if (nanos < 0) {
      return "-" + duration(-nanos);
    }
    long ms = nanos / 1_000_000;
    if (ms < 1_000) {
      return ms + "ms";
    }
    if (ms < 60_000) {
      return String.format(Locale.ROOT, "%.3fs", ms / 1000.0);
    }
    long s = ms / 1000;
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    if (s < 86_400) {
      return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
    return String.format(Locale.ROOT, "%dd%02dh", s / 86_400, (s % 86_400) / 3600);
  }

  /**
   * A daemon setting's value: durations, which the daemon reports in ISO-8601 ({@code PT1M30S}), the way they
   * are written on its command line ({@code 1m30s}); anything else as it is.
   */
  static String setting(String value) {
    if (!value.startsWith("P")) {
      return value;
    }
    java.time.Duration d;
    try {
      d = java.time.Duration.parse(value);
    } catch (java.time.format.DateTimeParseException e) {
      return value;
    }
    if (d.isZero()) {
      return "0s";
    }
    if (d.isNegative() || d.getNano() % 1_000_000 != 0) {
      return value;
    }
    if (d.getSeconds() == 0) {
      return d.toMillis() + "ms";
    }
    StringBuilder sb = new StringBuilder();
    long days = d.toDays();
    if (days > 0) {
      sb.append(days).append('d');
    }
    if (d.toHoursPart() > 0) {
      sb.append(d.toHoursPart()).append('h');
    }
    if (d.toMinutesPart() > 0) {
      sb.append(d.toMinutesPart()).append('m');
    }
    if (d.toSecondsPart() > 0 || d.toMillisPart() > 0) {
      sb.append(d.toSecondsPart());
      if (d.toMillisPart() > 0) {
        sb.append(String.format(Locale.ROOT, ".%03d", d.toMillisPart()).replaceAll("0+$", ""));
      }
      sb.append('s');
    }
    return sb.toString();
  }

  /** A lease for {@code ps}: "held" while a KeepAlive stream holds it, else the time left (or "expired"). */
  static String lease(long expiresAt, long now) {
    if (expiresAt == Long.MAX_VALUE) {
      return "held";
    }
    long left = expiresAt - now;
    return left <= 0 ? "expired" : duration(left) + " left";
  }

  /** Bytes, exact, with a binary-prefixed size when large: {@code 8192 (8.0 KiB)}. */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%d B (%.1f %s)", n, v, units[u]);
  }

  /** {@code n message}s with the plural when needed. */
  static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  /**
   * A signal mask with its names for an object of {@code typeName} ("channel", "socket", ...):
   * {@code 0x00000006 (ZX_CHANNEL_WRITABLE|ZX_CHANNEL_PEER_CLOSED)}.
   */
  static String signals(int bits, String typeName) {
    String hex = String.format("0x%08x", bits);
    if (bits == 0) {
      return hex;
    }
    String prefix = "ZX_" + typeName.toUpperCase(Locale.ROOT) + "_";
    List<String> names = new ArrayList<>();
    int rest = bits;
    for (int bit = 0; bit < 32; bit++) {
      int m = 1 << bit;
      if ((bits & m) == 0) {
        continue;
      }
      String name = signalName(m, prefix);
      if (name != null) {
        names.add(name);
        rest &= ~m;
      }
    }
    if (rest != 0) {
      names.add(String.format("0x%x", rest));
    }
    return hex + " (" + String.join("|", names) + ")";
  }

  private static String signalName(int bit, String prefix) {
    // The descriptor lists every alias (ZX_SOCKET_READABLE and ZX_CHANNEL_READABLE share 0x1); the first
    // name of this object's family wins (the current name comes first where Zircon renamed one).
    for (EnumValueDescriptor v : Signal.getDescriptor().getValues()) {
      String n = v.getName();
      if (v.getNumber() == bit && (n.startsWith(prefix) || n.startsWith("ZX_USER_SIGNAL_"))) {
        return n;
      }
    }
    return null;
  }

  /** Text fit for one table cell: control characters escaped, so a name cannot break the layout. */
  static String printable(String s) {
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean control = c < 0x20 || c == 0x7f;
      if (control && sb == null) {
        sb = new StringBuilder(s.substring(0, i));
      }
      if (sb != null) {
        if (c == '\n') {
          sb.append("\\n");
        } else if (c == '\t') {
          sb.append("\\t");
        } else if (control) {
          sb.append(String.format("\\x%02x", (int) c));
        } else {
          sb.append(c);
        }
      }
    }
    return sb == null ? s : sb.toString();
  }
}
