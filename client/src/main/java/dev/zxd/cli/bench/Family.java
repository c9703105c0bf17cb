package dev.zxd.cli.bench;

import java.util.function.Supplier;
import com.google.protobuf.ByteString;
import dev.zxd.client.Channel;
import dev.zxd.client.Handle;
import dev.zxd.client.ProcessHandle;
import dev.zxd.client.ZxProcess;
import dev.zxd.client.Zxd;
import java.util.ArrayList;
import java.util.List;

/**
 * A root process and its children, each on its own connection (as separate OS processes would be), each child
 * started with one end of a bootstrap channel whose other end the root keeps. Closing it exits every process
 * (children first) and closes the connections.
 */
final class Family implements AutoCloseable {
  final List<Zxd> connections = new ArrayList<>();
  final ZxProcess root;
  final List<ZxProcess> kids = new ArrayList<>();
  /** The root's end of each child's bootstrap channel. */
  final List<Channel> rootBoot = new ArrayList<>();
  /** Each child's end of its bootstrap channel. */
  final List<Channel> kidBoot = new ArrayList<>();

  private Family(Supplier<Zxd> connect, String rootName, int children, String kidName) {
    Zxd rootConnection = connect.get();
    connections.add(rootConnection);
    ZxProcess r;
    try {
      r = rootConnection.createProcess(rootName);
    } catch (RuntimeException e) {
      rootConnection.close();
      throw e;
    }
    root = r;
    try {
      for (int i = 0; i < children; i++) {
        ProcessHandle.Child child = root.createChild(kidName + "-" + (i + 1));
        Channel.Pair boot = root.createChannel();
        child.handle().start(boot.end1());
        Zxd c = connect.get();
        connections.add(c);
        ZxProcess kid = c.attach(child.sessionToken());
        kids.add(kid);
        rootBoot.add(boot.end0());
        kidBoot.add(kid.startupInfo().arg1().as(Channel.class));
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** {@code connect} makes each process's connection. */
  static Family open(Supplier<Zxd> connect, String rootName, int children, String kidName) {
    return new Family(connect, rootName, children, kidName);
  }

  /** Moves one of the root's handles to child {@code k}; returns its value in the child's table. */
  int give(int k, Handle h) {
    rootBoot.get(k).write(ByteString.EMPTY, h);
    return kidBoot.get(k).read().handles().get(0).value();
  }

  @Override
  public void close() {
    RuntimeException first = null;
    for (ZxProcess kid : kids) {
      try {
        kid.close();
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    try {
      if (root != null) {
        root.close();
      }
    } catch (RuntimeException e) {
      first = first == null ? e : first;
    }
    for (Zxd c : connections) {
      c.close();
    }
    if (first != null) {
      throw first;
    }
  }
}
