package dev.zxd.daemon;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** Serves the registry in Prometheus text format at {@code /metrics} on a small HTTP listener. */
final class MetricsEndpoint implements AutoCloseable {
  private final HttpServer server;

  MetricsEndpoint(ListenAddress.Tcp address, PrometheusMeterRegistry registry) throws IOException {
    server = HttpServer.create(new InetSocketAddress(address.host(), address.port()), 16);
    server.createContext("/metrics", exchange -> {
      byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }

  ListenAddress.Tcp address() {
    InetSocketAddress a = server.getAddress();
    return new ListenAddress.Tcp(a.getHostString(), a.getPort());
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
