package dev.zxd.daemon;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/** Where a listener listens: {@code host:port} (port 0 = any free port), {@code unix:/path}, or in-process. */
public sealed interface ListenAddress {
  record Tcp(String host, int port) implements ListenAddress {
    @Override
    public String toString() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    InetSocketAddress socketAddress() {
      return new InetSocketAddress(host, port);
    }
  }

  record Unix(Path path) implements ListenAddress {
    @Override
    public String toString() {
      return "unix:" + path;
    }
  }

  record InProcess(String name) implements ListenAddress {
    @Override
    public String toString() {
      return "inprocess:" + name;
    }
  }

  ListenAddress DEFAULT = new Tcp("127.0.0.1", 7474);

  /** Parses {@code host:port}, {@code [v6]:port}, {@code unix:/path} or {@code inprocess:name}. */
  static ListenAddress parse(String text) {
    if (text.startsWith("unix:")) {
      String path = text.substring("unix:".length());
      if (path.isEmpty()) {
        throw new IllegalArgumentException("unix: needs a path, e.g. unix:/tmp/zxd.sock");
      }
      return new Unix(Path.of(path));
    }
    if (text.startsWith("inprocess:")) {
      return new InProcess(text.substring("inprocess:".length()));
    }
    int colon = text.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("expected host:port, unix:/path or inprocess:name, got '" + text + "'");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad port in '" + text + "'");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range in '" + text + "'");
    }
    return new Tcp(host, port);
  }
}
