package dev.zxd.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.zxd.kernel.ChannelSyscalls.HandleDisposition;
import dev.zxd.kernel.ChannelSyscalls.ReadResult;
import dev.zxd.kernel.ChannelSyscalls.WriteEtcResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random sequences of create / write (plain, and write_etc with MOVE and DUPLICATE) / read / close / duplicate /
 * replace across three processes, checked step by step against an independent model of who holds what. After
 * every step: each process's table matches the model exactly (values, objects, rights), no Handle is in two
 * tables, every object's handle count equals its references in tables plus queued messages, exactly the objects
 * the model says are alive exist, and channel signals follow the queues and peers. At the end every process is
 * killed, one at a time, and nothing may be left.
 *
 * <p>Seeds are fixed (plus one fresh seed per run, or {@code -Dzxd.fuzz.seed=N} to replay one); every
 * assertion message starts with the seed and step.
 */
@ExtendWith(KernelExtension.class)
class RandomizedHandleAccountingTest {
  private static final int STEPS = 500;
  private static final int MAX_LIVE_OBJECTS = 80;

  static Stream<Long> seeds() {
    Long replay = Long.getLong("zxd.fuzz.seed");
    if (replay != null) {
      return Stream.of(replay);
    }
    return Stream.concat(LongStream.of(1, 2, 3, 42, 1234, 0xC0FFEE, 20181, 777_777).boxed(),
        Stream.of(System.nanoTime()));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void handleAccountingStaysExact(long seed, KernelFixture f) {
    new World(f, seed).run();
  }

  /** A handle as the model sees it. */
  private record MH(long koid, int rights) {}

  private record Msg(ByteString bytes, List<MH> handles) {}

  private static final class World {
    private final KernelFixture f;
    private final Kernel k;
    private final long seed;
    private final Random rnd;
    private final List<Process> procs = new ArrayList<>();
    private final Map<Process, Map<Integer, MH>> tables = new HashMap<>();
    private final Map<Long, Integer> type = new HashMap<>();
    private final Map<Long, Long> peer = new HashMap<>();
    private final Set<Long> alive = new LinkedHashSet<>();
    private final Map<Long, ArrayDeque<Msg>> queues = new HashMap<>();
    private final Set<Long> died = new HashSet<>(); // dead since the last check: must be gone from the kernel
    private String step = "setup";
    private int messages;
    private int skippedForCycles;
    private final Map<String, Integer> outcomes = new java.util.TreeMap<>(); // by syscall and status, for messages

    World(KernelFixture f, long seed) {
      this.f = f;
      this.k = f.kernel();
      this.seed = seed;
      this.rnd = new Random(seed);
    }

    private String ctx() {
      return "seed " + seed + ", step " + step;
    }

    private Supplier<String> ctx(String what) {
      return () -> ctx() + ": " + what;
    }

    private void expectStatus(int expected, int actual, String what) {
      assertEquals(expected, actual, () -> ctx() + ": " + what + ": expected " + Status.name(expected)
          + " but was " + Status.name(actual));
    }

    void run() {
      Process root = f.process("root");
      procs.add(root);
      tables.put(root, new LinkedHashMap<>());
      for (String name : new String[] {"c1", "c2"}) {
        ProcessSyscalls.CreateResult child = k.process().create(root, name, 0);
        expectStatus(Status.OK, child.status(), "create " + name);
        int[] ch = createChannel(root);
        MH moved = tables.get(root).remove(ch[1]);
        expectStatus(Status.OK, k.process().start(root, child.procHandle(), ch[1]), "start " + name);
        expectStatus(Status.OK, k.handle().close(root, child.procHandle()), "close process handle");
        Outcome<Process.StartupInfo> started = new Outcome<>();
        child.process().whenStarted(started);
        Map<Integer, MH> table = new LinkedHashMap<>();
        table.put(started.get().arg1(), moved);
        procs.add(child.process());
        tables.put(child.process(), table);
      }
      check();

      for (int i = 0; i < STEPS; i++) {
        step = Integer.toString(i);
        randomStep();
        settle();
        check();
      }

      List<Process> order = new ArrayList<>(procs);
      java.util.Collections.shuffle(order, rnd);
      for (Process p : order) {
        step = "kill " + p.name();
        p.kill(Process.RETCODE_KILLED);
        tables.get(p).clear();
        procs.remove(p);
        settle();
        check();
      }
      assertEquals(0, k.objects().size(), ctx("objects left after every process died: " + k.objects().all()));
      assertTrue(messages >= STEPS / 16, ctx("too few messages delivered to mean anything: " + outcomes));
      assertTrue(skippedForCycles < STEPS / 4, ctx("too many steps skipped: " + skippedForCycles + " " + outcomes));
    }

    // ---- choosing ----

    private Process anyProcess() {
      return procs.get(rnd.nextInt(procs.size()));
    }

    private int anyValue(Map<Integer, MH> t) {
      if (t.isEmpty()) {
        return 0;
      }
      int n = rnd.nextInt(t.size());
      for (int v : t.keySet()) {
        if (n-- == 0) {
          return v;
        }
      }
      throw new AssertionError();
    }

    private int anyOfType(Map<Integer, MH> t, int wanted) {
      List<Integer> candidates = new ArrayList<>();
      for (Map.Entry<Integer, MH> e : t.entrySet()) {
        if (type.get(e.getValue().koid()) == wanted) {
          candidates.add(e.getKey());
        }
      }
      return candidates.isEmpty() ? 0 : candidates.get(rnd.nextInt(candidates.size()));
    }

    /** A channel end in {@code t} whose peer is alive (a write through it can succeed), or 0. */
    private int writableChannel(Map<Integer, MH> t) {
      List<Integer> candidates = new ArrayList<>();
      for (Map.Entry<Integer, MH> e : t.entrySet()) {
        long koid = e.getValue().koid();
        if (type.get(koid) == ObjectType.CHANNEL && alive.contains(peer.get(koid))) {
          candidates.add(e.getKey());
        }
      }
      return candidates.isEmpty() ? 0 : candidates.get(rnd.nextInt(candidates.size()));
    }

    /** A value that names nothing in {@code t}: 0, or a well-formed-looking value not there. */
    private int bogus(Map<Integer, MH> t) {
      if (rnd.nextBoolean()) {
        return 0;
      }
      int v;
      do {
        v = rnd.nextInt() | 3;
      } while (t.containsKey(v));
      return v;
    }

    private int randomStep() {
      boolean crowded = alive.size() >= MAX_LIVE_OBJECTS;
      int[] weights = {crowded ? 0 : 10, crowded ? 0 : 6, crowded ? 0 : 3, 30, 25, crowded ? 20 : 8, 6, 4, 3};
      int total = 0;
      for (int w : weights) {
        total += w;
      }
      int r = rnd.nextInt(total);
      int op = 0;
      while (r >= weights[op]) {
        r -= weights[op++];
      }
      Process p = anyProcess();
      switch (op) {
        case 0 -> createChannel(p);
        case 1 -> createEvent(p);
        case 2 -> createEventPair(p);
        case 3 -> write(p);
        case 4 -> read();
        case 5 -> close(p);
        case 6 -> duplicate(p);
        case 7 -> replace(p);
        default -> closeMany(p);
      }
      return op;
    }

    // ---- creating ----

    private long learn(Process p, int value, int objectType, int rights) {
      long koid = p.handle(value).object().koid();
      type.put(koid, objectType);
      alive.add(koid);
      tables.get(p).put(value, new MH(koid, rights));
      return koid;
    }

    private int[] createChannel(Process p) {
      step += " channel_create in " + p.name();
      HandlePairResult r = k.channel().create(p, 0);
      expectStatus(Status.OK, r.status(), "channel_create");
      long a = learn(p, r.out0(), ObjectType.CHANNEL, Rights.DEFAULT_CHANNEL);
      long b = learn(p, r.out1(), ObjectType.CHANNEL, Rights.DEFAULT_CHANNEL);
      peer.put(a, b);
      peer.put(b, a);
      queues.put(a, new ArrayDeque<>());
      queues.put(b, new ArrayDeque<>());
      return new int[] {r.out0(), r.out1()};
    }

    private void createEvent(Process p) {
      step += " event_create in " + p.name();
      HandleResult r = k.event().create(p, 0);
      expectStatus(Status.OK, r.status(), "event_create");
      learn(p, r.out(), ObjectType.EVENT, Rights.DEFAULT_EVENT);
    }

    private void createEventPair(Process p) {
      step += " eventpair_create in " + p.name();
      HandlePairResult r = k.event().createPair(p, 0);
      expectStatus(Status.OK, r.status(), "eventpair_create");
      long a = learn(p, r.out0(), ObjectType.EVENTPAIR, Rights.DEFAULT_EVENTPAIR);
      long b = learn(p, r.out1(), ObjectType.EVENTPAIR, Rights.DEFAULT_EVENTPAIR);
      peer.put(a, b);
      peer.put(b, a);
    }

    // ---- writing ----

    private int randomRights(int held) {
      return RandomRights.pick(rnd, held, 6);
    }

    private void write(Process p) {
      Map<Integer, MH> t = tables.get(p);
      int ch = rnd.nextInt(12) == 0 ? (rnd.nextBoolean() ? anyValue(t) : bogus(t))
          : rnd.nextInt(5) > 0 ? writableChannel(t) : anyOfType(t, ObjectType.CHANNEL);
      if (ch == 0 && rnd.nextInt(5) > 0) {
        return;
      }
      boolean etc = rnd.nextBoolean();
      // Most writes are well formed, so messages flow; the rest are anything, so every error path is taken.
      boolean clean = rnd.nextInt(10) < 7;
      List<Integer> candidates = new ArrayList<>(t.keySet());
      candidates.remove((Integer) ch);
      int n = clean ? Math.min(rnd.nextInt(4), candidates.size()) : rnd.nextInt(4);
      HandleDisposition[] ds = new HandleDisposition[n];
      int[] values = new int[n];
      for (int i = 0; i < n; i++) {
        if (clean) {
          values[i] = candidates.remove(rnd.nextInt(candidates.size()));
        } else {
          values[i] = rnd.nextInt(25) == 0 || t.isEmpty() ? bogus(t) : anyValue(t);
        }
        MH src = t.get(values[i]);
        int op;
        if (!etc) {
          op = ChannelSyscalls.HANDLE_OP_MOVE;
        } else if (clean) {
          boolean canDup = (src.rights() & (Rights.DUPLICATE | Rights.TRANSFER)) == (Rights.DUPLICATE | Rights.TRANSFER);
          op = canDup && rnd.nextBoolean() ? ChannelSyscalls.HANDLE_OP_DUPLICATE : ChannelSyscalls.HANDLE_OP_MOVE;
        } else {
          op = rnd.nextInt(40) == 0 ? 5
              : rnd.nextInt(3) == 0 ? ChannelSyscalls.HANDLE_OP_DUPLICATE : ChannelSyscalls.HANDLE_OP_MOVE;
        }
        int objType = ObjectType.NONE;
        int rights = Rights.SAME_RIGHTS;
        if (etc && src != null) {
          int roll = rnd.nextInt(8);
          objType = roll == 0 && !clean ? ObjectType.PORT : roll < 4 ? type.get(src.koid()) : ObjectType.NONE;
          rights = randomRights(src.rights());
          if (clean && rights != Rights.SAME_RIGHTS && Rights.derive(src.rights(), rights) < 0) {
            rights = Rights.SAME_RIGHTS;
          }
        }
        ds[i] = new HandleDisposition(op, values[i], objType, rights);
      }
      step += (etc ? " write_etc" : " write") + " in " + p.name() + " of " + n;

      // What Zircon would do, on a copy of the table.
      Map<Integer, MH> sim = new LinkedHashMap<>(t);
      MH chan = t.get(ch);
      int early = chan == null ? Status.ERR_BAD_HANDLE
          : type.get(chan.koid()) != ObjectType.CHANNEL ? Status.ERR_WRONG_TYPE
          : (chan.rights() & Rights.WRITE) == 0 ? Status.ERR_ACCESS_DENIED
          : Status.OK;
      int expected = early;
      int[] results = new int[n];
      List<MH> carried = new ArrayList<>();
      if (early != Status.OK) {
        for (HandleDisposition d : ds) {
          if (!etc || d.operation != ChannelSyscalls.HANDLE_OP_DUPLICATE) {
            sim.remove(d.handle);
          }
        }
      } else {
        for (int i = 0; i < n; i++) {
          HandleDisposition d = ds[i];
          boolean take = d.operation != ChannelSyscalls.HANDLE_OP_DUPLICATE;
          MH src = take ? sim.remove(d.handle) : sim.get(d.handle);
          results[i] = dispose(d, src, chan, etc, carried);
          if (results[i] != Status.OK && expected == Status.OK) {
            expected = results[i];
          }
        }
        if (expected == Status.OK) {
          long q = peer.get(chan.koid());
          if (!alive.contains(q)) {
            expected = Status.ERR_PEER_CLOSED;
          } else {
            for (MH m : carried) {
              if (type.get(m.koid()) == ObjectType.CHANNEL && reaches(m.koid(), q)) {
                skippedForCycles++;
                step += " (skipped: would make a cycle no process can break)";
                return;
              }
            }
          }
        }
      }

      ByteString body = ByteString.copyFromUtf8("m" + step);
      int status;
      boolean resultsWritten;
      if (etc) {
        WriteEtcResult r = k.channel().writeEtc(p, ch, 0, body, List.of(), ds);
        status = r.status();
        resultsWritten = r.resultsWritten();
      } else {
        status = k.channel().write(p, ch, 0, body, List.of(), values);
        resultsWritten = false;
      }
      expectStatus(expected, status, "write status");
      outcomes.merge("write " + Status.name(status), 1, Integer::sum);
      if (etc) {
        assertEquals(expected != Status.OK && early == Status.OK, resultsWritten, ctx("results written"));
        if (resultsWritten) {
          int[] actual = new int[n];
          for (int i = 0; i < n; i++) {
            actual[i] = ds[i].result;
          }
          assertArrayEquals(results, actual, ctx("per-entry results"));
        }
      }
      tables.put(p, sim);
      if (expected == Status.OK) {
        queues.get(peer.get(chan.koid())).addLast(new Msg(body, carried));
        messages++;
      }
    }

    /** One entry's checks, in Zircon's order; adds the handle the message would carry. */
    private int dispose(HandleDisposition d, MH src, MH chan, boolean etc, List<MH> carried) {
      if (src == null) {
        return Status.ERR_BAD_HANDLE;
      }
      if (d.operation != ChannelSyscalls.HANDLE_OP_MOVE && d.operation != ChannelSyscalls.HANDLE_OP_DUPLICATE) {
        return Status.ERR_INVALID_ARGS;
      }
      if ((src.rights() & Rights.TRANSFER) == 0) {
        return Status.ERR_ACCESS_DENIED;
      }
      if (src.koid() == chan.koid()) {
        return Status.ERR_NOT_SUPPORTED;
      }
      if (!etc) {
        carried.add(src);
        return Status.OK;
      }
      if (d.type != ObjectType.NONE && d.type != type.get(src.koid())) {
        return Status.ERR_WRONG_TYPE;
      }
      long rights = Rights.derive(src.rights(), d.rights);
      if (rights < 0) {
        return Status.ERR_INVALID_ARGS;
      }
      if (d.operation == ChannelSyscalls.HANDLE_OP_DUPLICATE && (src.rights() & Rights.DUPLICATE) == 0) {
        return Status.ERR_ACCESS_DENIED;
      }
      carried.add(new MH(src.koid(), (int) rights));
      return Status.OK;
    }

    /** Whether {@code target} is {@code from}, or sits (transitively) in the queues of what {@code from} holds. */
    private boolean reaches(long from, long target) {
      ArrayDeque<Long> todo = new ArrayDeque<>(List.of(from));
      Set<Long> seen = new HashSet<>();
      while (!todo.isEmpty()) {
        long x = todo.pop();
        if (x == target) {
          return true;
        }
        if (!seen.add(x)) {
          continue;
        }
        ArrayDeque<Msg> q = queues.get(x);
        if (q != null) {
          for (Msg m : q) {
            for (MH h : m.handles()) {
              todo.push(h.koid());
            }
          }
        }
      }
      return false;
    }

    // ---- reading ----

    private void read() {
      // Mostly read where something is queued, in whichever process holds that end.
      List<Object[]> nonEmpty = new ArrayList<>();
      for (Process p : procs) {
        for (Map.Entry<Integer, MH> e : tables.get(p).entrySet()) {
          ArrayDeque<Msg> q = queues.get(e.getValue().koid());
          if (q != null && !q.isEmpty()) {
            nonEmpty.add(new Object[] {p, e.getKey()});
          }
        }
      }
      Process p;
      int h;
      if (!nonEmpty.isEmpty() && rnd.nextInt(10) < 7) {
        Object[] pick = nonEmpty.get(rnd.nextInt(nonEmpty.size()));
        p = (Process) pick[0];
        h = (Integer) pick[1];
      } else {
        p = anyProcess();
        Map<Integer, MH> t = tables.get(p);
        h = rnd.nextInt(10) == 0 ? (rnd.nextBoolean() ? anyValue(t) : bogus(t)) : anyOfType(t, ObjectType.CHANNEL);
      }
      boolean discard = rnd.nextInt(5) == 0;
      boolean small = rnd.nextInt(5) == 0;
      int numBytes = small ? rnd.nextInt(12) : KernelFixture.ANY_BYTES;
      int numHandles = small ? rnd.nextInt(2) : KernelFixture.ANY_HANDLES;
      step += " read in " + p.name() + (small ? " small" : "") + (discard ? " may_discard" : "");

      Map<Integer, MH> t = tables.get(p);
      MH m = t.get(h);
      int expected;
      Msg front = null;
      if (m == null) {
        expected = Status.ERR_BAD_HANDLE;
      } else if (type.get(m.koid()) != ObjectType.CHANNEL) {
        expected = Status.ERR_WRONG_TYPE;
      } else if ((m.rights() & Rights.READ) == 0) {
        expected = Status.ERR_ACCESS_DENIED;
      } else {
        front = queues.get(m.koid()).peekFirst();
        if (front == null) {
          expected = alive.contains(peer.get(m.koid())) ? Status.ERR_SHOULD_WAIT : Status.ERR_PEER_CLOSED;
        } else if (front.bytes().size() > numBytes || front.handles().size() > numHandles) {
          expected = Status.ERR_BUFFER_TOO_SMALL;
        } else {
          expected = Status.OK;
        }
      }
      ReadResult r = k.channel().read(p, h, discard ? ChannelSyscalls.READ_MAY_DISCARD : 0, numBytes, numHandles);
      expectStatus(expected, r.status(), "read status");
      outcomes.merge("read " + Status.name(r.status()), 1, Integer::sum);
      if (expected == Status.ERR_BUFFER_TOO_SMALL) {
        assertEquals(front.bytes().size(), r.actualBytes(), ctx("required bytes"));
        assertEquals(front.handles().size(), r.actualHandles(), ctx("required handles"));
        if (discard) {
          queues.get(m.koid()).removeFirst();
        }
      } else if (expected == Status.OK) {
        queues.get(m.koid()).removeFirst();
        assertEquals(front.bytes(), r.bytes(), ctx("message order"));
        assertEquals(front.handles().size(), r.handles().length, ctx("handle count"));
        for (int i = 0; i < r.handles().length; i++) {
          MH expectedHandle = front.handles().get(i);
          int value = r.handles()[i];
          assertNull(t.get(value), ctx("received value 0x" + Integer.toHexString(value) + " already in use"));
          assertEquals(type.get(expectedHandle.koid()).intValue(), r.types()[i], ctx("received type"));
          assertEquals(expectedHandle.rights(), r.rights()[i], ctx("received rights"));
          t.put(value, expectedHandle);
        }
      }
    }

    // ---- handle ops ----

    private void close(Process p) {
      Map<Integer, MH> t = tables.get(p);
      int h = rnd.nextInt(10) == 0 || t.isEmpty() ? bogus(t) : anyValue(t);
      step += " close in " + p.name();
      int expected = h == 0 ? Status.OK : t.containsKey(h) ? Status.OK : Status.ERR_BAD_HANDLE;
      expectStatus(expected, k.handle().close(p, h), "close");
      t.remove(h);
    }

    private void closeMany(Process p) {
      Map<Integer, MH> t = tables.get(p);
      int n = rnd.nextInt(4);
      int[] values = new int[n];
      for (int i = 0; i < n; i++) {
        values[i] = rnd.nextInt(6) == 0 || t.isEmpty() ? bogus(t) : anyValue(t);
      }
      step += " close_many in " + p.name() + " of " + n;
      int expected = Status.OK;
      for (int v : values) {
        if (v != 0 && t.remove(v) == null) {
          expected = Status.ERR_BAD_HANDLE;
        }
      }
      expectStatus(expected, k.handle().closeMany(p, values), "close_many");
    }

    private void duplicate(Process p) {
      Map<Integer, MH> t = tables.get(p);
      int h = rnd.nextInt(10) == 0 || t.isEmpty() ? bogus(t) : anyValue(t);
      MH src = t.get(h);
      int rights = src == null ? Rights.SAME_RIGHTS : randomRights(src.rights());
      step += " duplicate in " + p.name();
      HandleResult r = k.handle().duplicate(p, h, rights);
      if (src == null) {
        expectStatus(Status.ERR_BAD_HANDLE, r.status(), "duplicate");
      } else if ((src.rights() & Rights.DUPLICATE) == 0) {
        expectStatus(Status.ERR_ACCESS_DENIED, r.status(), "duplicate");
      } else if (Rights.derive(src.rights(), rights) < 0) {
        expectStatus(Status.ERR_INVALID_ARGS, r.status(), "duplicate");
      } else {
        expectStatus(Status.OK, r.status(), "duplicate");
        assertNull(t.get(r.out()), ctx("duplicate's value already in use"));
        t.put(r.out(), new MH(src.koid(), (int) Rights.derive(src.rights(), rights)));
      }
    }

    private void replace(Process p) {
      Map<Integer, MH> t = tables.get(p);
      int h = rnd.nextInt(10) == 0 || t.isEmpty() ? bogus(t) : anyValue(t);
      MH src = t.get(h);
      int rights = src == null ? Rights.SAME_RIGHTS : randomRights(src.rights());
      step += " replace in " + p.name();
      HandleResult r = k.handle().replace(p, h, rights);
      if (src == null) {
        expectStatus(Status.ERR_BAD_HANDLE, r.status(), "replace");
        return;
      }
      t.remove(h);
      if (Rights.derive(src.rights(), rights) < 0) {
        expectStatus(Status.ERR_INVALID_ARGS, r.status(), "replace");
      } else {
        expectStatus(Status.OK, r.status(), "replace");
        assertNull(t.get(r.out()), ctx("replacement's value already in use"));
        t.put(r.out(), new MH(src.koid(), (int) Rights.derive(src.rights(), rights)));
      }
    }

    // ---- the model's bookkeeping ----

    private Map<Long, Integer> references() {
      Map<Long, Integer> counts = new HashMap<>();
      for (Process p : procs) {
        for (MH m : tables.get(p).values()) {
          counts.merge(m.koid(), 1, Integer::sum);
        }
      }
      for (long koid : alive) {
        ArrayDeque<Msg> q = queues.get(koid);
        if (q != null) {
          for (Msg msg : q) {
            for (MH m : msg.handles()) {
              counts.merge(m.koid(), 1, Integer::sum);
            }
          }
        }
      }
      return counts;
    }

    /** Objects with no references die; a dead channel end's queue dies with it, which may free more. */
    private void settle() {
      boolean changed;
      do {
        changed = false;
        Map<Long, Integer> counts = references();
        for (long koid : new ArrayList<>(alive)) {
          if (counts.getOrDefault(koid, 0) == 0) {
            alive.remove(koid);
            queues.remove(koid);
            died.add(koid);
            changed = true;
          }
        }
      } while (changed);
    }

    private void check() {
      IdentityHashMap<Handle, Process> owner = new IdentityHashMap<>();
      for (Process p : procs) {
        Map<Integer, Handle> snapshot = p.handleSnapshot();
        Map<Integer, MH> model = tables.get(p);
        assertEquals(model.keySet(), snapshot.keySet(), ctx("values in " + p.name()));
        for (Map.Entry<Integer, Handle> e : snapshot.entrySet()) {
          Handle h = e.getValue();
          Process other = owner.put(h, p);
          assertNull(other, ctx("one Handle in the tables of " + p.name() + " and " + (other == null ? "" : other.name())));
          MH m = model.get(e.getKey());
          assertEquals(m.koid(), h.object().koid(), ctx("object of 0x" + Integer.toHexString(e.getKey())));
          assertEquals(m.rights(), h.rights(), ctx("rights of 0x" + Integer.toHexString(e.getKey())));
        }
      }
      Map<Long, Integer> counts = references();
      for (long koid : alive) {
        KernelObject o = k.objects().get(koid);
        assertNotNull(o, ctx("object " + koid + " should be alive"));
        assertEquals(counts.getOrDefault(koid, 0).intValue(), o.handleCount(), ctx("handle count of " + o));
        int t = type.get(koid);
        boolean peerAlive = alive.contains(peer.getOrDefault(koid, -1L));
        if (t == ObjectType.CHANNEL) {
          int queued = queues.get(koid).size();
          assertEquals(queued, ((Channel) o).queuedMessages(), ctx("queue of " + o));
          int expected = (queued > 0 ? Signals.CHANNEL_READABLE : 0)
              | (peerAlive ? Signals.CHANNEL_WRITABLE : Signals.CHANNEL_PEER_CLOSED);
          assertEquals(expected, o.signals(), ctx("signals of " + o));
        } else if (t == ObjectType.EVENTPAIR) {
          assertEquals(peerAlive ? 0 : Signals.EVENTPAIR_PEER_CLOSED, o.signals(), ctx("signals of " + o));
        } else {
          assertEquals(0, o.signals(), ctx("signals of " + o));
        }
        assertEquals(0, o.observerCount(), ctx("observers on " + o));
      }
      for (long koid : died) {
        assertNull(k.objects().get(koid), ctx("object " + koid + " should be destroyed"));
      }
      died.clear();
      assertEquals(alive.size() + procs.size(), k.objects().size(), ctx("live objects"));
    }
  }
}
