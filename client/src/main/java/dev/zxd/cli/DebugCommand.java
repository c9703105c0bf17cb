package dev.zxd.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every Debug command shares: the connection options, {@code --json}, one connection per run, and the
 * translation of gRPC failures into one line and an exit status.
 */
abstract class DebugCommand implements Callable<Integer> {
  /** Proto3 JSON, every field present (a script need not know proto3 omits zeros). */
  static final JsonFormat.Printer JSON = JsonFormat.printer().alwaysPrintFieldsWithNoPresence();
  /** The same, one line per message (for streams). */
  static final JsonFormat.Printer JSON_LINE = JSON.omittingInsignificantWhitespace();

  @Mixin
  Zxctl.Target target;

  @Mixin
  Zxctl.Output output;

  @Spec
  CommandSpec spec;

  @Override
  public final Integer call() {
    validate();
    PrintWriter out = spec.commandLine().getOut();
    try (DebugConnection connection = DebugConnection.open(target)) {
      int code = run(connection, out);
      out.flush();
      return code;
    } catch (StatusRuntimeException e) {
      out.flush();
      throw Zxctl.explain(e, target.target, target.hasAdminToken());
    }
  }

  /** Checks the command line beyond what picocli checks (throw a ParameterException: exit status 2). */
  void validate() {}

  /** Does the command's work; returns the exit status. */
  abstract int run(DebugConnection connection, PrintWriter out);

  static String json(MessageOrBuilder message, JsonFormat.Printer printer) {
    try {
      return printer.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + message.getClass().getSimpleName() + " as JSON", e);
    }
  }

  /** An error the daemon answered with (ZX_ERR_NOT_FOUND, ...), as this command's failure: exit status 1. */
  static Zxctl.Failure failure(String what) {
    return new Zxctl.Failure(Zxctl.EXIT_ERROR, what);
  }
}
