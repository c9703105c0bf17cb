package dev.zxd.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code zxctl}: the command line for a running zxd. */
@Command(name = "zxctl", mixinStandardHelpOptions = true, version = "zxctl 0.1.0",
    description = "Talks to a running zxd daemon.",
    subcommands = {DemoCommand.class, CommandLine.HelpCommand.class})
public final class Zxctl {
  /** Connection options every command shares. */
  static final class Target {
    @Option(names = "--target", defaultValue = "${env:ZXD_TARGET:-127.0.0.1:7474}",
        description = "The daemon: host:port or unix:/path (default: ${DEFAULT-VALUE}).")
    String target;
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String... args) {
    return new CommandLine(new Zxctl()).execute(args);
  }
}
