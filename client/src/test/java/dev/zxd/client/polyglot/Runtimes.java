package dev.zxd.client.polyglot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the Python and Node runtimes the cross-language tests need and prepares the client packages (the Python
 * stubs). When something is missing it fails, naming what to install; with {@code ZXD_SKIP_POLYGLOT=1} in the
 * environment it skips the tests with that same message instead. It never passes silently.
 *
 * <p>Overrides: {@code ZXD_PYTHON} (an interpreter with grpcio and protobuf; default {@code /usr/bin/python3},
 * the Debian one) and {@code ZXD_NODE} (default {@code node} on the PATH).
 */
record Runtimes(Path repo, Path python, Path node) {
  static final String SKIP_VARIABLE = "ZXD_SKIP_POLYGLOT";

  Path pythonPackage() {
    return repo.resolve("client/python");
  }

  Path nodePackage() {
    return repo.resolve("client/node");
  }

  /** Finds everything, or fails (or skips, with ZXD_SKIP_POLYGLOT=1) naming what is missing. */
  static Runtimes require() {
    Path repo = repoRoot();
    List<String> missing = new ArrayList<>();

    Path python = findPython(missing);
    if (python != null) {
      prepareStubs(repo, missing);
    }
    Path node = findNode(missing);
    Path modules = repo.resolve("client/node/node_modules/@grpc");
    if (node != null && !nodePackagesPresent(modules)) {
      installNodePackages(repo.resolve("client/node"));
    }
    if (!nodePackagesPresent(modules)) {
      missing.add("the Node client's packages: run `npm ci` in " + repo.resolve("client/node")
          + " (needs npm; .ci/run does it)");
    }

    if (!missing.isEmpty()) {
      String message = "The cross-language tests need Python and Node runtimes that are missing here:\n  - "
          + String.join("\n  - ", missing)
          + "\nOn Debian: apt-get install python3-grpcio protobuf-compiler protobuf-compiler-grpc nodejs npm"
          + " && (cd client/node && npm ci). Set " + SKIP_VARIABLE + "=1 to skip these tests instead.";
      if ("1".equals(System.getenv(SKIP_VARIABLE))) {
        // Said on the console as well: surefire reports a skip's reason only in its report files.
        System.err.println("[WARNING] CrossLanguageTest skipped (" + SKIP_VARIABLE + "=1): " + message);
        Assumptions.abort("skipped (" + SKIP_VARIABLE + "=1): " + message);
      }
      Assertions.fail(message);
    }
    return new Runtimes(repo, python, node);
  }

  private static boolean nodePackagesPresent(Path modules) {
    return Files.isDirectory(modules.resolve("grpc-js")) && Files.isDirectory(modules.resolve("proto-loader"));
  }

  /**
   * Runs {@code npm ci} once for a fresh checkout, so the README's one test command is enough wherever npm and
   * the npm registry are reachable (bounded: 5 minutes). Failing here is reported as a missing runtime.
   */
  private static synchronized void installNodePackages(Path dir) {
    try {
      Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(dir.toFile())
          .redirectErrorStream(true).start();
      npm.getInputStream().transferTo(System.err);
      if (!npm.waitFor(5, java.util.concurrent.TimeUnit.MINUTES)) {
        npm.destroyForcibly();
      }
    } catch (java.io.IOException e) {
      // npm itself is missing: reported below as missing packages.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The repository root: surefire runs in the client module's directory. */
  private static Path repoRoot() {
    Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    for (Path p = module; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("proto/src/main/proto/zxd/v1")) && Files.isDirectory(p.resolve("client"))) {
        return p;
      }
    }
    throw new IllegalStateException("cannot find the repository root above " + module);
  }

  private static Path findPython(List<String> missing) {
    String override = System.getenv("ZXD_PYTHON");
    Path python = override != null ? Path.of(override) : Path.of("/usr/bin/python3");
    if (!Files.isExecutable(python)) {
      missing.add("a Python 3 interpreter at " + python + " (apt-get install python3; or set ZXD_PYTHON)");
      return null;
    }
    Probe probe = probe(List.of(python.toString(), "-c", "import grpc, google.protobuf"));
    if (probe.exit != 0) {
      missing.add("grpcio for " + python + ": apt-get install python3-grpcio (PyPI is not needed; "
          + "use Debian's /usr/bin/python3, not a pyenv/venv one): " + probe.output.strip());
      return null;
    }
    return python;
  }

  private static Path findNode(List<String> missing) {
    String override = System.getenv("ZXD_NODE");
    Path node = override != null ? Path.of(override) : onPath("node");
    if (node == null || !Files.isExecutable(node)) {
      missing.add("Node.js 18 or later (apt-get install nodejs npm; or set ZXD_NODE)");
      return null;
    }
    Probe probe = probe(List.of(node.toString(), "-p", "process.versions.node.split('.')[0]"));
    int major = -1;
    try {
      major = Integer.parseInt(probe.output.strip());
    } catch (NumberFormatException e) {
      // reported below
    }
    if (probe.exit != 0 || major < 18) {
      missing.add("Node.js 18 or later; " + node + " says " + probe.output.strip());
      return null;
    }
    return node;
  }

  /** Runs client/python/generate.sh unless the stubs are newer than every .proto file. */
  private static void prepareStubs(Path repo, List<String> missing) {
    Path generated = repo.resolve("client/python/zxd/v1/__init__.py");
    if (isFresh(generated, repo.resolve("proto/src/main/proto/zxd/v1"))) {
      return;
    }
    if (onPath("protoc") == null || onPath("grpc_python_plugin") == null) {
      missing.add("protoc and grpc_python_plugin to generate the Python stubs: "
          + "apt-get install protobuf-compiler protobuf-compiler-grpc");
      return;
    }
    Probe gen = probe(List.of("bash", repo.resolve("client/python/generate.sh").toString()));
    if (gen.exit != 0) {
      Assertions.fail("client/python/generate.sh failed (exit " + gen.exit + "):\n" + gen.output);
    }
  }

  private static boolean isFresh(Path generated, Path protoDir) {
    try {
      if (!Files.exists(generated)) {
        return false;
      }
      FileTime stamp = Files.getLastModifiedTime(generated);
      try (Stream<Path> protos = Files.list(protoDir)) {
        return protos.noneMatch(p -> {
          try {
            return Files.getLastModifiedTime(p).compareTo(stamp) > 0;
          } catch (IOException e) {
            return true;
          }
        });
      }
    } catch (IOException e) {
      return false;
    }
  }

  static Path onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  private record Probe(int exit, String output) {}

  private static Probe probe(List<String> command) {
    Path out = null;
    try {
      out = Files.createTempFile("zxd-probe", ".txt");
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      p.getOutputStream().close();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Probe(-1, String.join(" ", command) + ": no answer in 60 s");
      }
      return new Probe(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Probe(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Probe(-1, e.toString());
    } finally {
      if (out != null) {
        try {
          Files.deleteIfExists(out);
        } catch (IOException e) {
          // a stray temp file
        }
      }
    }
  }
}
