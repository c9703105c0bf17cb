package dev.zxd.daemon;

import java.time.Duration;
import java.util.function.Function;

/**
 * One configuration key: its flag name ({@code --name}), environment variable ({@code ZXD_NAME}), default,
 * parser with validation, and the sentence that documents it.
 */
public final class Setting<T> {
  private final String name;
  private final String defaultText;
  private final String description;
  private final Function<String, T> parser;
  private final boolean repeatable;

  private Setting(String name, String defaultText, String description, Function<String, T> parser,
      boolean repeatable) {
    this.name = name;
    this.defaultText = defaultText;
    this.description = description;
    this.parser = parser;
    this.repeatable = repeatable;
  }

  static <T> Setting<T> of(String name, String defaultText, String description, Function<String, T> parser) {
    return new Setting<>(name, defaultText, description, parser, false);
  }

  static <T> Setting<T> repeatable(String name, String defaultText, String description,
      Function<String, T> parser) {
    return new Setting<>(name, defaultText, description, parser, true);
  }

  public String name() {
    return name;
  }

  public String envName() {
    return "ZXD_" + name.toUpperCase().replace('-', '_');
  }

  public String defaultText() {
    return defaultText;
  }

  public String description() {
    return description;
  }

  public boolean isRepeatable() {
    return repeatable;
  }

  T parse(String text) {
    try {
      return parser.apply(text.trim());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("--" + name + ": " + e.getMessage(), e);
    }
  }

  // ---- parsers ----

  static Function<String, Integer> intAtLeast(int min) {
    return text -> {
      int v = Integer.parseInt(text.replace("_", ""));
      if (v < min) {
        throw new IllegalArgumentException("must be at least " + min + ", got " + v);
      }
      return v;
    };
  }

  static Function<String, Long> longAtLeast(long min) {
    return text -> {
      long v = Long.parseLong(text.replace("_", ""));
      if (v < min) {
        throw new IllegalArgumentException("must be at least " + min + ", got " + v);
      }
      return v;
    };
  }

  /** Durations as {@code 250ms}, {@code 10s}, {@code 5m}, or ISO-8601 ({@code PT10S}). Must be positive. */
  static Duration duration(String text) {
    Duration d;
    String t = text.toLowerCase();
    if (t.startsWith("pt")) {
      d = Duration.parse(text);
    } else if (t.endsWith("ms")) {
      d = Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
    } else if (t.endsWith("s")) {
      d = Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
    } else if (t.endsWith("m")) {
      d = Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
    } else {
      throw new IllegalArgumentException("expected a duration like 500ms, 10s or 5m, got '" + text + "'");
    }
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("must be positive, got '" + text + "'");
    }
    return d;
  }

  /** {@code true} or {@code false}. */
  static Boolean bool(String text) {
    if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
      return Boolean.valueOf(text.toLowerCase());
    }
    throw new IllegalArgumentException("expected true or false, got '" + text + "'");
  }
}
