package dev.zxd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.zxd.kernel.ChannelSyscalls.HandleDisposition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded random syscalls across several processes: channels, sockets (share / accept, bytes), events,
 * eventpairs, ports (async waits), VMOs; write and write_etc with MOVE and DUPLICATE and rights reduction;
 * reads; protocol-info tokens issued, redeemed (by the right process, the wrong one, or forged) and left to
 * expire; duplicate / replace / close / close_many; processes spawned, exiting and killed. Nothing is steered
 * away from reference cycles: the cycle collector must free them.
 *
 * <p>Instead of predicting outcomes (RandomizedHandleAccountingTest does that for a smaller set of calls),
 * this test checks the kernel against its own invariants after every step, on the timer thread so no token
 * expiry or collector pass runs in the middle of a check:
 *
 * <ul>
 *   <li>no Handle is in two places (tables, queued messages, share slots, tokens), and each names a live object;
 *   <li>every object's handle count is exactly the number of Handles naming it there; only a running process
 *       lives with none;
 *   <li>no handle has rights its object was not created with, and each derived handle (duplicate, replace,
 *       write_etc, token) has at most the rights of its source; moves keep the very same Handle;
 *   <li>once every process has exited, no object, token or byte of the memory budget is left.
 * </ul>
 *
 * <p>CI runs a few short seeds plus a fresh one. A long run: {@code -Dzxd.random.steps=20000} and, to replay
 * one failure, {@code -Dzxd.random.seed=N} (every assertion message starts with the seed and the step).
 */
@ExtendWith(KernelExtension.class)
@KernelExtension.WithConfig("config")
class RandomizedKernelInvariantsTest {
  private static final int STEPS = Integer.getInteger("zxd.random.steps", 300);
  private static final int MAX_PROCESSES = 5;
  /** Above this many handles in a process, its creating steps are skipped, so tables stay small. */
  private static final int CROWDED = 40;

  static KernelConfig config() {
    // Long leases (the test makes no renewing calls); tokens expire quickly, so some do while steps run.
    return KernelConfig.DEFAULTS.withLease(Duration.ofHours(1)).withGracePeriod(Duration.ofHours(1))
        .withTokenExpiry(Duration.ofMillis(30));
  }

  static Stream<Long> seeds() {
    Long replay = Long.getLong("zxd.random.seed");
    if (replay != null) {
      return Stream.of(replay);
    }
    return Stream.concat(LongStream.of(1, 7, 99, 2024, 0xBADC0DEL).boxed(), Stream.of(System.nanoTime()));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void invariantsHoldAfterEveryStep(long seed, KernelFixture f) {
    new Run(f, seed).run();
  }

  private record Token(ProtocolInfoTokens.Issued info, Process target) {}

  private static final class Run {
    private final KernelFixture f;
    private final Kernel k;
    private final long seed;
    private final Random rnd;
    private final List<Process> live = new ArrayList<>();
    private final List<Token> tokens = new ArrayList<>();
    private final Map<String, Integer> outcomes = new TreeMap<>();
    private String step = "setup";
    private int names;

    Run(KernelFixture f, long seed) {
      this.f = f;
      this.k = f.kernel();
      this.seed = seed;
      this.rnd = new Random(seed);
    }

    private Supplier<String> ctx(String what) {
      return () -> "seed " + seed + ", step " + step + ": " + what;
    }

    void run() {
      try {
        live.add(f.process("root"));
        for (int i = 0; i < STEPS; i++) {
          step = Integer.toString(i);
          randomStep();
          check();
        }
        List<Process> order = new ArrayList<>(live);
        java.util.Collections.shuffle(order, rnd);
        for (Process p : order) {
          step = "final exit of " + p.name();
          k.process().exit(p, 0);
          live.remove(p);
          check();
        }
        step = "after every process exited";
        KernelExtension.awaitCollector(k);
        assertEquals(List.of(), k.objects().all(), ctx("objects left: " + outcomes));
        assertEquals(0, k.tokens().size(), ctx("tokens left"));
        assertEquals(0, k.memory().used(), ctx("memory budget still charged"));
      } catch (AssertionError e) {
        throw e;
      } catch (Throwable t) {
        throw new AssertionError(ctx("unexpected " + t).get(), t);
      }
    }

    private void count(String what, int status) {
      outcomes.merge(what + " " + Status.name(status), 1, Integer::sum);
    }

    // ---- choosing ----

    private Process anyProcess() {
      return live.get(rnd.nextInt(live.size()));
    }

    private int anyValue(Process p) {
      List<Integer> values = new ArrayList<>(p.handleSnapshot().keySet());
      if (values.isEmpty() || rnd.nextInt(20) == 0) {
        return rnd.nextBoolean() ? 0 : rnd.nextInt() | 3;
      }
      java.util.Collections.sort(values); // the snapshot's order is a hash map's: sort, so the seed decides
      return values.get(rnd.nextInt(values.size()));
    }

    private int ofType(Process p, int type) {
      List<Integer> values = new ArrayList<>();
      for (Map.Entry<Integer, Handle> e : p.handleSnapshot().entrySet()) {
        if (e.getValue().object().type() == type) {
          values.add(e.getKey());
        }
      }
      if (values.isEmpty() || rnd.nextInt(15) == 0) {
        return anyValue(p);
      }
      java.util.Collections.sort(values);
      return values.get(rnd.nextInt(values.size()));
    }

    private int someRights(int held) {
      return RandomRights.pick(rnd, held, 5);
    }

    private void randomStep() {
      if (live.isEmpty()) {
        live.add(f.process("p" + ++names));
      }
      Process p = anyProcess();
      boolean crowded = p.handleTableSize() >= CROWDED;
      int c = crowded ? 0 : 1;
      int[] weights = {
          10 * c, 8 * c, 3 * c, 3 * c, 2 * c, 2 * c, // creating
          14, 14, 18, // write, write_etc, read
          7, 6, 3, 3, // share, accept, socket write, socket read
          4, 5, 1, // token issue, redeem, await an expiry
          5, 4, crowded ? 14 : 6, 3, // duplicate, replace, close, close_many
          live.size() < MAX_PROCESSES ? 2 : 0, 1, 1, // spawn, exit, kill
          3, 2, // wait_async, a value from another process
      };
      int total = 0;
      for (int w : weights) {
        total += w;
      }
      int r = rnd.nextInt(total);
      int op = 0;
      while (r >= weights[op]) {
        r -= weights[op++];
      }
      switch (op) {
        case 0 -> create(p, "channel", k.channel().create(p, 0).status());
        case 1 -> {
          int[] options = {Socket.STREAM, Socket.DATAGRAM, Socket.HAS_ACCEPT, Socket.HAS_ACCEPT | Socket.HAS_CONTROL};
          create(p, "socket", k.socket().create(p, options[rnd.nextInt(options.length)]).status());
        }
        case 2 -> create(p, "event", k.event().create(p, 0).status());
        case 3 -> create(p, "eventpair", k.event().createPair(p, 0).status());
        case 4 -> create(p, "port", k.port().create(p, 0).status());
        case 5 -> vmo(p);
        case 6 -> write(p);
        case 7 -> writeEtc(p);
        case 8 -> read();
        case 9 -> share(p);
        case 10 -> accept(p);
        case 11 -> socketWrite(p);
        case 12 -> socketRead(p);
        case 13 -> issueToken(p);
        case 14 -> redeem();
        case 15 -> awaitAnExpiry();
        case 16 -> duplicate(p);
        case 17 -> replace(p);
        case 18 -> close(p);
        case 19 -> closeMany(p);
        case 20 -> spawn(p);
        case 21 -> exit(p);
        case 22 -> kill(p);
        case 23 -> waitAsync(p);
        default -> foreignValue(p);
      }
    }

    // ---- steps ----

    private void create(Process p, String what, int status) {
      step += " create " + what + " in " + p.name();
      count("create " + what, status);
      assertEquals(Status.OK, status, ctx(what + " create"));
    }

    private void vmo(Process p) {
      step += " vmo in " + p.name();
      HandleResult r = k.vmo().create(p, 1 + rnd.nextInt(3 * Vmo.PAGE_SIZE), 0);
      count("vmo create", r.status());
      if (r.status() == Status.OK && rnd.nextBoolean()) {
        count("vmo write", k.vmo().write(p, r.out(), rnd.nextInt(Vmo.PAGE_SIZE), ByteString.copyFromUtf8("page")));
      }
    }

    private int[] someValues(Process p, int channel) {
      int n = rnd.nextInt(4);
      int[] values = new int[n];
      for (int i = 0; i < n; i++) {
        values[i] = anyValue(p);
        if (values[i] == channel && rnd.nextInt(4) > 0) {
          values[i] = anyValue(p);
        }
      }
      return values;
    }

    private void write(Process p) {
      int ch = ofType(p, ObjectType.CHANNEL);
      int[] values = someValues(p, ch);
      step += " write in " + p.name() + " of " + values.length;
      Handle via = p.handle(ch);
      KernelObject to = via == null ? null : via.object().livePeer();
      Handle[] sources = new Handle[values.length];
      for (int i = 0; i < values.length; i++) {
        sources[i] = p.handle(values[i]);
      }
      int status = k.channel().write(p, ch, 0, ByteString.copyFromUtf8(step), List.of(), values);
      count("write", status);
      for (int v : values) {
        assertNull(p.handle(v), ctx("a written handle stays in the writer's table on every path"));
      }
      if (status == Status.OK) {
        List<Handle> queued = to.heldHandles();
        for (int i = 0; i < values.length; i++) {
          assertSame(sources[i], queued.get(queued.size() - values.length + i), ctx("a write moves the Handle itself"));
        }
      }
    }

    private void writeEtc(Process p) {
      int ch = ofType(p, ObjectType.CHANNEL);
      int[] values = someValues(p, ch);
      HandleDisposition[] ds = new HandleDisposition[values.length];
      Handle[] sources = new Handle[values.length];
      for (int i = 0; i < values.length; i++) {
        sources[i] = p.handle(values[i]);
        int op = rnd.nextInt(30) == 0 ? 7 : rnd.nextBoolean() ? ChannelSyscalls.HANDLE_OP_MOVE
            : ChannelSyscalls.HANDLE_OP_DUPLICATE;
        int type = sources[i] != null && rnd.nextInt(3) == 0 ? sources[i].object().type() : ObjectType.NONE;
        int rights = sources[i] == null ? Rights.SAME_RIGHTS : someRights(sources[i].rights());
        ds[i] = new HandleDisposition(op, values[i], type, rights);
      }
      step += " write_etc in " + p.name() + " of " + values.length;
      Handle via = p.handle(ch);
      KernelObject to = via == null ? null : via.object().livePeer();
      ChannelSyscalls.WriteEtcResult r = k.channel().writeEtc(p, ch, 0, ByteString.copyFromUtf8(step), List.of(), ds);
      count("write_etc", r.status());
      for (int i = 0; i < values.length; i++) {
        if (ds[i].operation != ChannelSyscalls.HANDLE_OP_DUPLICATE) {
          assertNull(p.handle(values[i]), ctx("a MOVE source leaves the table on every path"));
        } else if (sources[i] != null && !movedByAnother(ds, i)) {
          assertSame(sources[i], p.handle(values[i]), ctx("a DUPLICATE source stays"));
        }
      }
      if (r.status() == Status.OK) {
        List<Handle> queued = to.heldHandles();
        for (int i = 0; i < values.length; i++) {
          Handle sent = queued.get(queued.size() - values.length + i);
          assertSame(sources[i].object(), sent.object(), ctx("entry " + i + " carries its source's object"));
          assertEquals(0, sent.rights() & ~sources[i].rights(), ctx("entry " + i + " gained rights"));
          if (ds[i].rights != Rights.SAME_RIGHTS) {
            assertEquals(ds[i].rights, sent.rights(), ctx("entry " + i + " rights as asked"));
          }
        }
      }
    }

    private static boolean movedByAnother(HandleDisposition[] ds, int i) {
      for (HandleDisposition d : ds) {
        if (d != ds[i] && d.handle == ds[i].handle && d.operation != ChannelSyscalls.HANDLE_OP_DUPLICATE) {
          return true;
        }
      }
      return false;
    }

    private void read() {
      // Mostly where something is queued, in whichever process holds that end.
      List<Object[]> ready = new ArrayList<>();
      for (Process p : live) {
        for (Map.Entry<Integer, Handle> e : new TreeMap<>(p.handleSnapshot()).entrySet()) {
          if (e.getValue().object() instanceof Channel c && c.queuedMessages() > 0) {
            ready.add(new Object[] {p, e.getKey()});
          }
        }
      }
      Process p;
      int h;
      if (!ready.isEmpty() && rnd.nextInt(10) < 8) {
        Object[] pick = ready.get(rnd.nextInt(ready.size()));
        p = (Process) pick[0];
        h = (Integer) pick[1];
      } else {
        p = anyProcess();
        h = ofType(p, ObjectType.CHANNEL);
      }
      boolean small = rnd.nextInt(6) == 0;
      int options = rnd.nextInt(4) == 0 ? ChannelSyscalls.READ_MAY_DISCARD : 0;
      step += " read in " + p.name() + (small ? " small" : "") + (options != 0 ? " may_discard" : "");
      Handle from = p.handle(h);
      List<Handle> before = from == null ? List.of() : from.object().heldHandles();
      ChannelSyscalls.ReadResult r = k.channel().read(p, h, options,
          small ? rnd.nextInt(16) : KernelFixture.ANY_BYTES, small ? rnd.nextInt(2) : KernelFixture.ANY_HANDLES);
      count("read", r.status());
      if (r.status() == Status.OK) {
        for (int i = 0; i < r.handles().length; i++) {
          assertSame(before.get(i), p.handle(r.handles()[i]), ctx("a read installs the queued Handle itself"));
        }
      }
    }

    /** A socket handle in p (with or without HAS_ACCEPT, as asked) most of the time; else any socket or value. */
    private int socketWith(Process p, boolean accept) {
      List<Integer> values = new ArrayList<>();
      for (Map.Entry<Integer, Handle> e : p.handleSnapshot().entrySet()) {
        if (e.getValue().object() instanceof Socket s && s.hasAccept() == accept) {
          values.add(e.getKey());
        }
      }
      if (values.isEmpty() || rnd.nextInt(5) == 0) {
        return ofType(p, ObjectType.SOCKET);
      }
      java.util.Collections.sort(values);
      return values.get(rnd.nextInt(values.size()));
    }

    private void share(Process p) {
      int via = socketWith(p, true);
      int shared = socketWith(p, false);
      step += " socket_share in " + p.name();
      Handle viaHandle = p.handle(via);
      Handle sharedHandle = p.handle(shared);
      KernelObject slot = viaHandle == null ? null : viaHandle.object().livePeer();
      int status = k.socket().share(p, via, shared);
      count("share", status);
      assertNull(p.handle(shared), ctx("the shared socket leaves the table on every path"));
      if (status == Status.OK) {
        assertEquals(List.of(sharedHandle), slot.heldHandles(), ctx("the share slot holds the Handle itself"));
      }
    }

    private void accept(Process p) {
      int h = socketWith(p, true);
      step += " socket_accept in " + p.name();
      Handle socket = p.handle(h);
      List<Handle> parked = socket == null ? List.of() : socket.object().heldHandles();
      HandleResult r = k.socket().accept(p, h);
      count("accept", r.status());
      if (r.status() == Status.OK) {
        assertSame(parked.get(0), p.handle(r.out()), ctx("accept installs the parked Handle itself"));
      }
    }

    private void socketWrite(Process p) {
      int h = ofType(p, ObjectType.SOCKET);
      step += " socket_write in " + p.name();
      byte[] data = new byte[rnd.nextInt(300)];
      rnd.nextBytes(data);
      count("socket write", k.socket().write(p, h, 0, ByteString.copyFrom(data)).status());
    }

    private void socketRead(Process p) {
      int h = ofType(p, ObjectType.SOCKET);
      step += " socket_read in " + p.name();
      count("socket read", k.socket().read(p, h, 0, rnd.nextInt(400)).status());
    }

    private void issueToken(Process p) {
      int h = ofType(p, ObjectType.SOCKET);
      Process target = rnd.nextInt(8) == 0 ? p : anyProcess();
      long targetKoid = rnd.nextInt(15) == 0 ? 1 : target.koid();
      step += " duplicate_for_process in " + p.name() + " for " + target.name();
      Handle source = p.handle(h);
      SocketSyscalls.TokenResult r = k.socket().duplicateForProcess(p, h, targetKoid);
      count("token issue", r.status());
      if (r.status() == Status.OK) {
        assertEquals(0, r.info().rights() & ~source.rights(), ctx("a token grants more than its source"));
        assertEquals(source.object().koid(), r.info().socketKoid(), ctx("token's socket"));
        tokens.add(new Token(r.info(), target));
      }
    }

    private void redeem() {
      if (tokens.isEmpty()) {
        return;
      }
      Token t = tokens.get(rnd.nextInt(tokens.size()));
      int roll = rnd.nextInt(10);
      Process p = roll < 7 && t.target().isAlive() ? t.target() : anyProcess();
      String token = t.info().token();
      if (roll == 9) {
        char[] chars = token.toCharArray();
        int i = rnd.nextInt(chars.length);
        chars[i] = chars[i] == 'A' ? 'B' : 'A';
        token = new String(chars);
      }
      step += " redeem in " + p.name() + (roll == 9 ? " (forged)" : "");
      HandleResult r = k.socket().createFromProtocolInfo(p, token);
      count("redeem", r.status());
      if (r.status() == Status.OK) {
        assertSame(t.target(), p, ctx("only the target may redeem"));
        Handle got = p.handle(r.out());
        assertEquals(t.info().socketKoid(), got.object().koid(), ctx("redeemed socket"));
        assertEquals(t.info().rights(), got.rights(), ctx("redeemed rights"));
        tokens.remove(t);
      }
    }

    private void awaitAnExpiry() {
      int outstanding = k.tokens().size();
      step += " await a token expiry of " + outstanding;
      if (outstanding == 0) {
        return;
      }
      Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
          .until(() -> k.tokens().size() < outstanding);
      count("token expired", Status.OK);
    }

    private void duplicate(Process p) {
      int h = anyValue(p);
      Handle source = p.handle(h);
      int rights = source == null ? Rights.SAME_RIGHTS : someRights(source.rights());
      step += " duplicate in " + p.name();
      HandleResult r = k.handle().duplicate(p, h, rights);
      count("duplicate", r.status());
      if (r.status() == Status.OK) {
        Handle dup = p.handle(r.out());
        assertSame(source.object(), dup.object(), ctx("duplicate's object"));
        assertEquals(0, dup.rights() & ~source.rights(), ctx("duplicate gained rights"));
        assertSame(source, p.handle(h), ctx("duplicate keeps its source"));
      }
    }

    private void replace(Process p) {
      int h = anyValue(p);
      Handle source = p.handle(h);
      int rights = source == null ? Rights.SAME_RIGHTS : someRights(source.rights());
      step += " replace in " + p.name();
      HandleResult r = k.handle().replace(p, h, rights);
      count("replace", r.status());
      if (source != null) {
        assertNull(p.handle(h), ctx("replace consumes its source on every path once found"));
      }
      if (r.status() == Status.OK) {
        Handle now = p.handle(r.out());
        assertSame(source.object(), now.object(), ctx("replacement's object"));
        assertEquals(0, now.rights() & ~source.rights(), ctx("replacement gained rights"));
      }
    }

    private void close(Process p) {
      int h = anyValue(p);
      step += " close in " + p.name();
      int status = k.handle().close(p, h);
      count("close", status);
      assertNull(p.handle(h), ctx("closed"));
    }

    private void closeMany(Process p) {
      int[] values = new int[rnd.nextInt(4)];
      for (int i = 0; i < values.length; i++) {
        values[i] = anyValue(p);
      }
      step += " close_many in " + p.name() + " of " + values.length;
      count("close_many", k.handle().closeMany(p, values));
      for (int v : values) {
        assertNull(p.handle(v), ctx("closed by close_many"));
      }
    }

    private void spawn(Process parent) {
      String name = "p" + ++names;
      step += " spawn " + name + " from " + parent.name();
      ProcessSyscalls.CreateResult c = k.process().create(parent, name, 0);
      count("process create", c.status());
      if (c.status() != Status.OK) {
        return;
      }
      int arg1 = rnd.nextInt(3) == 0 ? 0 : anyValue(parent);
      int status = k.process().start(parent, c.procHandle(), arg1);
      count("process start", status);
      if (c.process().isAlive()) {
        live.add(c.process());
      }
    }

    private void exit(Process p) {
      step += " exit " + p.name();
      k.process().exit(p, rnd.nextInt(3));
      live.remove(p);
    }

    private void kill(Process p) {
      int h = ofType(p, ObjectType.PROCESS);
      step += " task_kill in " + p.name();
      count("kill", k.process().kill(p, h));
      live.removeIf(q -> !q.isAlive());
    }

    private void waitAsync(Process p) {
      int port = ofType(p, ObjectType.PORT);
      int h = anyValue(p);
      int[] signals = {Signals.USER_0, Signals.PEER_CLOSED, Signals.CHANNEL_READABLE};
      step += " wait_async in " + p.name();
      count("wait_async", k.port().waitAsync(p, h, port, rnd.nextLong(), signals[rnd.nextInt(signals.length)], 0));
    }

    /** A value of another process's table is nothing here, unless this table happens to hold it too. */
    private void foreignValue(Process p) {
      Process q = anyProcess();
      int v = anyValue(q);
      step += " " + p.name() + " tries a value of " + q.name();
      Handle own = p.handle(v);
      HandleResult r = k.handle().duplicate(p, v, Rights.SAME_RIGHTS);
      count("foreign duplicate", r.status());
      if (own == null) {
        assertEquals(Status.ERR_BAD_HANDLE, r.status(), ctx("a value not in the caller's table"));
      }
    }

    // ---- the invariants ----

    private static int createdRights(KernelObject o) {
      return switch (o.type()) {
        case ObjectType.CHANNEL -> Rights.DEFAULT_CHANNEL;
        case ObjectType.SOCKET -> Rights.DEFAULT_SOCKET;
        case ObjectType.EVENT -> Rights.DEFAULT_EVENT;
        case ObjectType.EVENTPAIR -> Rights.DEFAULT_EVENTPAIR;
        case ObjectType.PORT -> Rights.DEFAULT_PORT;
        case ObjectType.VMO -> Rights.DEFAULT_VMO;
        case ObjectType.PROCESS -> Rights.DEFAULT_PROCESS;
        default -> throw new AssertionError("unexpected object " + o);
      };
    }

    /** Runs the check on the timer thread, where token expiry and collector passes run, so none overlaps it. */
    private void check() {
      CompletableFuture<Void> done = new CompletableFuture<>();
      k.timers().at(k.clock().now(), () -> {
        try {
          checkNow();
          done.complete(null);
        } catch (Throwable t) {
          done.completeExceptionally(t);
        }
      });
      try {
        done.get(10, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof AssertionError a) {
          throw a;
        }
        throw new AssertionError(ctx("check failed").get(), e.getCause());
      } catch (Exception e) {
        throw new AssertionError(ctx("check did not run").get(), e);
      }
    }

    private void checkNow() {
      IdentityHashMap<Handle, String> where = new IdentityHashMap<>();
      IdentityHashMap<KernelObject, Integer> refs = new IdentityHashMap<>();
      for (Process p : live) {
        assertTrue(p.isAlive(), ctx(p.name() + " should be alive"));
      }
      for (Process p : k.processes().all()) {
        for (Map.Entry<Integer, Handle> e : p.handleSnapshot().entrySet()) {
          place(e.getValue(), p.name() + "'s table at 0x" + Integer.toHexString(e.getKey()), where, refs);
        }
      }
      List<KernelObject> objects = k.objects().all();
      for (KernelObject o : objects) {
        for (Handle h : o.heldHandles()) {
          place(h, "inside " + o, where, refs);
        }
      }
      for (Handle h : k.tokens().heldHandles()) {
        place(h, "a protocol-info token", where, refs);
      }
      for (KernelObject o : objects) {
        int named = refs.getOrDefault(o, 0);
        assertEquals(named, o.handleCount(), ctx("handle count of " + o));
        if (named == 0) {
          assertTrue(o instanceof Process p && p.isAlive(), ctx(o + " lives without a handle"));
        }
      }
    }

    private void place(Handle h, String at, IdentityHashMap<Handle, String> where,
        IdentityHashMap<KernelObject, Integer> refs) {
      String other = where.put(h, at);
      assertNull(other, ctx(h + " is in two places: " + other + " and " + at));
      KernelObject o = h.object();
      assertSame(o, k.objects().get(o.koid()), ctx(at + " names " + o + ", which is destroyed"));
      assertEquals(0, h.rights() & ~createdRights(o), ctx(h + " at " + at + " has rights its object never had"));
      refs.merge(o, 1, Integer::sum);
    }
  }
}
