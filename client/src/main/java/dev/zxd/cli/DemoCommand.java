package dev.zxd.cli;

import dev.zxd.client.Channel;
import dev.zxd.client.Disposition;
import dev.zxd.client.Event;
import dev.zxd.client.Message;
import dev.zxd.client.ProcessHandle;
import dev.zxd.client.Zxd;
import dev.zxd.client.ZxProcess;
import dev.zxd.proto.v1.Right;
import dev.zxd.proto.v1.Signal;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Shows zxd working: two processes on two connections; one sends the other a message carrying an event handle
 * with reduced rights, and they signal each other through it.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    header = "Runs a two-process demo: an event handle sent in a message, then signaled.",
    description = {
    "Runs a two-process demo against the daemon: a parent starts a child with a bootstrap channel and sends",
    "it an event handle in a message; the child waits on it; the parent signals; the child sees it.",
    "Example: zxctl demo --target 127.0.0.1:7474"})
final class DemoCommand implements Callable<Integer> {
  @Mixin
  Zxctl.Target target;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (Zxd parentConn = Zxd.connect(target.target); Zxd childConn = Zxd.connect(target.target)) {
      ZxProcess parent = parentConn.createProcess("demo-parent");
      out.printf("parent: I am process %d%n", parent.koid());
      ProcessHandle.Child child = parent.createChild("demo-child");
      ZxProcess kid = childConn.attach(child.sessionToken());
      out.printf("child:  attached on a second connection as process %d%n", kid.koid());

      Channel.Pair bootstrap = parent.createChannel();
      child.handle().start(bootstrap.end1());
      Channel kidEnd = kid.startupInfo().arg1().as(Channel.class);
      out.printf("parent: started the child with one end of a channel (child's value 0x%08x)%n", kidEnd.value());

      Event event = parent.createEvent();
      int rights = Right.ZX_RIGHT_WAIT_VALUE | Right.ZX_RIGHT_TRANSFER_VALUE;
      out.printf("parent: made event koid %d as handle 0x%08x; sending a duplicate with rights 0x%x%n",
          event.koid(), event.value(), rights);
      bootstrap.end0().writeEtc(com.google.protobuf.ByteString.copyFromUtf8("here is an event"),
          Disposition.duplicate(event).withRights(rights));

      Message m = kidEnd.readEtc();
      Event got = m.handle(0, Event.class);
      out.printf("child:  read \"%s\" with event koid %d as handle 0x%08x, rights 0x%x%n",
          m.bytes().toStringUtf8(), got.koid(), got.value(), got.rights());

      var wait = got.waitOneAsync(Signal.ZX_USER_SIGNAL_0_VALUE, kid.deadlineAfter(Duration.ofSeconds(10)));
      event.signal(0, Signal.ZX_USER_SIGNAL_0_VALUE);
      int observed = wait.join();
      out.printf("child:  wait_one returned, observed signals 0x%08x (ZX_USER_SIGNAL_0)%n", observed);

      kid.close();
      bootstrap.end0().waitOne(Signal.ZX_CHANNEL_PEER_CLOSED_VALUE, parent.deadlineAfter(Duration.ofSeconds(10)));
      out.println("parent: the child exited; its end of the bootstrap channel closed: ZX_CHANNEL_PEER_CLOSED");
      parent.close();
      out.println("demo: OK");
      return 0;
    }
  }
}
