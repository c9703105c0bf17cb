package dev.zxd.kernel;

import static dev.zxd.kernel.KernelFixture.assertStatus;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.protobuf.ByteString;
import dev.zxd.kernel.VmoSyscalls.ReadResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** zx_vmo_create / read / write / get_size / set_size. */
@ExtendWith(KernelExtension.class)
class VmoTest {
  static final int PAGE = 4096;

  static int vmo(KernelFixture f, Process p, long size, int options) {
    HandleResult r = f.kernel().vmo().create(p, size, options);
    assertStatus(Status.OK, r.status(), "vmo_create(" + size + ", " + options + ")");
    return r.out();
  }

  static long size(KernelFixture f, Process p, int h) {
    VmoSyscalls.SizeResult r = f.kernel().vmo().getSize(p, h);
    assertStatus(Status.OK, r.status(), "vmo_get_size");
    return r.size();
  }

  static ByteString read(KernelFixture f, Process p, int h, long offset, long len) {
    ReadResult r = f.kernel().vmo().read(p, h, offset, len);
    assertStatus(Status.OK, r.status(), "vmo_read(" + offset + ", " + len + ")");
    assertEquals(len, r.data().size());
    return r.data();
  }

  static void write(KernelFixture f, Process p, int h, long offset, ByteString data) {
    assertStatus(Status.OK, f.kernel().vmo().write(p, h, offset, data), "vmo_write at " + offset);
  }

  static ByteString pattern(int len, int seed) {
    byte[] b = new byte[len];
    for (int i = 0; i < len; i++) {
      b[i] = (byte) (seed + i * 31);
    }
    return ByteString.copyFrom(b);
  }

  static ByteString zeros(int len) {
    return ByteString.copyFrom(new byte[len]);
  }

  // ---- create ----

  @Test
  void sizeIsRoundedUpToWholePages(KernelFixture f) {
    Process p = f.process();
    long[][] cases = {{0, 0}, {1, PAGE}, {PAGE - 1, PAGE}, {PAGE, PAGE}, {PAGE + 1, 2 * PAGE}, {10 * PAGE, 10 * PAGE},
        {1 << 20, 1 << 20}};
    for (long[] c : cases) {
      int h = vmo(f, p, c[0], 0);
      assertEquals(c[1], size(f, p, h), "create(" + c[0] + ")");
      assertEquals(c[1], ((Vmo) f.object(p, h)).size());
    }
  }

  @Test
  void optionsAreResizableAndDiscardableOnly(KernelFixture f) {
    Process p = f.process();
    for (int options : new int[] {0, Vmo.RESIZABLE, Vmo.DISCARDABLE, Vmo.RESIZABLE | Vmo.DISCARDABLE}) {
      vmo(f, p, PAGE, options);
    }
    assertEquals(2, Vmo.RESIZABLE);
    assertEquals(4, Vmo.DISCARDABLE);
    int objects = f.kernel().objects().size();
    for (int options : new int[] {1, 8, 3, 0x10, 0x80000000, -1}) {
      HandleResult r = f.kernel().vmo().create(p, PAGE, options);
      assertStatus(Status.ERR_INVALID_ARGS, r.status(), "options " + KernelFixture.hex(options));
      assertEquals(0, r.out());
    }
    assertEquals(objects, f.kernel().objects().size());
  }

  @Test
  void rightsAndInitialSignals(KernelFixture f) {
    Process p = f.process();
    assertEquals(0xD0EF, Rights.DEFAULT_VMO);
    assertEquals(1 << 22, Rights.RESIZE);
    int plain = vmo(f, p, PAGE, 0);
    assertEquals(0xD0EF, f.rights(p, plain));
    int resizable = vmo(f, p, PAGE, Vmo.RESIZABLE);
    assertEquals(0xD0EF | (1 << 22), f.rights(p, resizable));
    int discardable = vmo(f, p, PAGE, Vmo.DISCARDABLE);
    assertEquals(0xD0EF, f.rights(p, discardable));
    for (int h : new int[] {plain, resizable, discardable}) {
      assertEquals(Signals.VMO_ZERO_CHILDREN, f.signals(p, h), "ZX_VMO_ZERO_CHILDREN asserted");
      assertEquals(0x8, Signals.VMO_ZERO_CHILDREN);
      assertEquals(ObjectType.VMO, f.object(p, h).type());
      assertEquals(0, f.object(p, h).relatedKoid());
    }
  }

  @Test
  void sizeAboveTheMaximumIsOutOfRange(KernelFixture f) {
    Process p = f.process();
    long max = f.kernel().config().maxVmoBytes();
    int objects = f.kernel().objects().size();
    for (long size : new long[] {max + 1, max + PAGE, Long.MAX_VALUE, -1L, Long.MIN_VALUE, -PAGE}) {
      HandleResult r = f.kernel().vmo().create(p, size, 0);
      assertStatus(Status.ERR_OUT_OF_RANGE, r.status(), "size " + Long.toUnsignedString(size));
      assertEquals(0, r.out());
    }
    assertEquals(objects, f.kernel().objects().size());
    assertEquals(0, p.handleTableSize());
  }

  @Test
  @KernelExtension.WithConfig("smallMax")
  void configuredMaximumIsInclusiveAfterRounding(KernelFixture f) {
    Process p = f.process();
    assertEquals(max(), size(f, p, vmo(f, p, max(), 0)));
    assertEquals(max(), size(f, p, vmo(f, p, max() - PAGE + 1, 0)));
    assertStatus(Status.ERR_OUT_OF_RANGE, f.kernel().vmo().create(p, max() + 1, 0).status(),
        "one byte over rounds to a page over");
  }

  private static long max() {
    return 16 * PAGE;
  }

  static KernelConfig smallMax() {
    return KernelConfig.DEFAULTS.withMaxVmoBytes(max());
  }

  // ---- read / write ----

  @Test
  void neverWrittenBytesReadAsZeros(KernelFixture f) {
    Process p = f.process();
    int h = vmo(f, p, 3 * PAGE, 0);
    assertEquals(zeros(3 * PAGE), read(f, p, h, 0, 3 * PAGE));
    assertEquals(0, ((Vmo) f.object(p, h)).committedBytes(), "reading commits nothing");
  }

  @Test
  void writeThenReadBackAcrossPageBoundaries(KernelFixture f) {
    Process p = f.process();
    int h = vmo(f, p, 4 * PAGE, 0);
    ByteString data = pattern(2 * PAGE + 100, 7);
    write(f, p, h, PAGE - 50, data);
    assertEquals(data, read(f, p, h, PAGE - 50, data.size()));
    assertEquals(zeros(PAGE - 50), read(f, p, h, 0, PAGE - 50), "bytes before are untouched");
    long end = PAGE - 50 + data.size();
    assertEquals(zeros((int) (4 * PAGE - end)), read(f, p, h, end, 4 * PAGE - end), "bytes after too");
    assertEquals(data.substring(10, 20), read(f, p, h, PAGE - 40, 10));
    assertEquals(4L * PAGE, ((Vmo) f.object(p, h)).committedBytes(), "pages 0 to 3 touched");
  }

  @Test
  void overwritesReplaceOnlyTheirRange(KernelFixture f) {
    Process p = f.process();
    int h = vmo(f, p, PAGE, 0);
    write(f, p, h, 0, KernelFixture.bytes("hello, world"));
    write(f, p, h, 7, KernelFixture.bytes("there"));
    assertEquals(KernelFixture.bytes("hello, there"), read(f, p, h, 0, 12));
  }

  @Test
  void readAndWriteBeyondTheSizeAreOutOfRange(KernelFixture f) {
    Process p = f.process();
    int h = vmo(f, p, 2 * PAGE, 0);
    write(f, p, h, 2 * PAGE - 4, KernelFixture.bytes("tail"));
    assertEquals(KernelFixture.bytes("tail"), read(f, p, h, 2 * PAGE - 4, 4));
    read(f, p, h, 2 * PAGE, 0); // empty, at the end: fine
    write(f, p, h, 2 * PAGE, ByteString.EMPTY);
    long[][] bad = {{2 * PAGE - 3, 4}, {2 * PAGE, 1}, {2 * PAGE + 1, 0}, {0, 2 * PAGE + 1},
        {Long.MAX_VALUE, 1}, {-1, 1}, {Long.MIN_VALUE, 0}, {1, Long.MAX_VALUE}, {1, -1}};
    for (long[] c : bad) {
      ReadResult r = f.kernel().vmo().read(p, h, c[0], c[1]);
      assertStatus(Status.ERR_OUT_OF_RANGE, r.status(), "read(" + c[0] + ", " + c[1] + ")");
      assertEquals(0, r.data().size());
      if (c[1] >= 0 && c[1] < 3 * PAGE) {
        assertStatus(Status.ERR_OUT_OF_RANGE, f.kernel().vmo().write(p, h, c[0], pattern((int) c[1], 1)),
            "write(" + c[0] + ", " + c[1] + ")");
      }
    }
    assertEquals(KernelFixture.bytes("tail"), read(f, p, h, 2 * PAGE - 4, 4), "failed writes changed nothing");
    assertEquals(PAGE, ((Vmo) f.object(p, h)).committedBytes());
  }

  @Test
  void zeroSizedVmoHoldsNothing(KernelFixture f) {
    Process p = f.process();
    int h = vmo(f, p, 0, 0);
    read(f, p, h, 0, 0);
    assertStatus(Status.ERR_OUT_OF_RANGE, f.kernel().vmo().read(p, h, 0, 1).status());
    assertStatus(Status.ERR_OUT_OF_RANGE, f.kernel().vmo().write(p, h, 0, KernelFixture.bytes("x")));
  }

  @Test
  void handlesAndProcessesShareTheBytes(KernelFixture f) {
    Process a = f.process();
    int h = vmo(f, a, PAGE, 0);
    int dup = f.duplicate(a, h, Rights.SAME_RIGHTS);
    write(f, a, h, 100, KernelFixture.bytes("shared"));
    assertEquals(KernelFixture.bytes("shared"), read(f, a, dup, 100, 6));
    // Move a third handle into a child process as its startup handle.
    ProcessSyscalls.CreateResult child = f.kernel().process().create(a, "child", 0);
    assertStatus(Status.OK, child.status());
    int toMove = f.duplicate(a, h, Rights.SAME_RIGHTS);
    assertStatus(Status.OK, f.kernel().process().start(a, child.procHandle(), toMove));
    Process b = child.process();
    int[] inB = new int[1];
    b.whenStarted(info -> inB[0] = info.arg1());
    assertEquals(KernelFixture.bytes("shared"), read(f, b, inB[0], 100, 6), "the child sees the parent's write");
    write(f, b, inB[0], 0, KernelFixture.bytes("from b"));
    assertEquals(KernelFixture.bytes("from b"), read(f, a, dup, 0, 6), "and the parent sees the child's");
    assertEquals(f.koid(a, h), f.koid(b, inB[0]));
  }

  @Test
  void readNeedsReadAndWriteNeedsWrite(KernelFixture f) {
    Process p = f.process();
    int h = vmo(f, p, PAGE, 0);
    int ro = f.duplicate(p, h, Rights.READ);
    int wo = f.duplicate(p, h, Rights.WRITE);
    assertStatus(Status.ERR_ACCESS_DENIED, f.kernel().vmo().write(p, ro, 0, KernelFixture.bytes("x")));
    assertStatus(Status.ERR_ACCESS_DENIED, f.kernel().vmo().read(p, wo, 0, 1).status());
    write(f, p, wo, 0, KernelFixture.bytes("y"));
    assertEquals(KernelFixture.bytes("y"), read(f, p, ro, 0, 1));
    int ev = f.event(p);
    assertStatus(Status.ERR_WRONG_TYPE, f.kernel().vmo().read(p, ev, 0, 1).status());
    assertStatus(Status.ERR_WRONG_TYPE, f.kernel().vmo().write(p, ev, 0, KernelFixture.bytes("x")));
    assertStatus(Status.ERR_BAD_HANDLE, f.kernel().vmo().read(p, 0, 0, 1).status());
    assertStatus(Status.ERR_BAD_HANDLE, f.kernel().vmo().write(p, h ^ 0x20, 0, KernelFixture.bytes("x")));
    // Rights are checked before the range.
    assertStatus(Status.ERR_ACCESS_DENIED, f.kernel().vmo().write(p, ro, 10 * PAGE, KernelFixture.bytes("x")));
  }

  // ---- get_size / set_size ----

  @Test
  void getSizeNeedsNoRights(KernelFixture f) {
    Process p = f.process();
    int h = vmo(f, p, 5000, 0);
    int none = f.duplicate(p, h, 0);
    assertEquals(2 * PAGE, size(f, p, none));
    int ev = f.event(p);
    assertStatus(Status.ERR_WRONG_TYPE, f.kernel().vmo().getSize(p, ev).status());
    assertStatus(Status.ERR_BAD_HANDLE, f.kernel().vmo().getSize(p, 0).status());
  }

  @Test
  void setSizeOnANonResizableVmoIsUnavailable(KernelFixture f) {
    Process p = f.process();
    int h = vmo(f, p, PAGE, 0);
    write(f, p, h, 0, KernelFixture.bytes("keep"));
    assertStatus(Status.ERR_UNAVAILABLE, f.kernel().vmo().setSize(p, h, 2 * PAGE));
    assertStatus(Status.ERR_UNAVAILABLE, f.kernel().vmo().setSize(p, h, 0));
    assertEquals(PAGE, size(f, p, h));
    assertEquals(KernelFixture.bytes("keep"), read(f, p, h, 0, 4));
  }

  @Test
  void setSizeNeedsWriteAndResize(KernelFixture f) {
    Process p = f.process();
    int h = vmo(f, p, PAGE, Vmo.RESIZABLE);
    int noWrite = f.duplicate(p, h, Rights.DEFAULT_VMO & ~Rights.WRITE | Rights.RESIZE);
    int noResize = f.duplicate(p, h, Rights.DEFAULT_VMO);
    assertStatus(Status.ERR_ACCESS_DENIED, f.kernel().vmo().setSize(p, noWrite, 2 * PAGE));
    assertStatus(Status.ERR_ACCESS_DENIED, f.kernel().vmo().setSize(p, noResize, 2 * PAGE));
    assertEquals(PAGE, size(f, p, h));
    int writeResize = f.duplicate(p, h, Rights.WRITE | Rights.RESIZE);
    assertStatus(Status.OK, f.kernel().vmo().setSize(p, writeResize, 2 * PAGE));
    assertEquals(2 * PAGE, size(f, p, h));
    int ev = f.event(p);
    assertStatus(Status.ERR_WRONG_TYPE, f.kernel().vmo().setSize(p, ev, PAGE));
    // A non-resizable VMO without WRITE: the right is checked first.
    int fixed = vmo(f, p, PAGE, 0);
    int fixedRo = f.duplicate(p, fixed, Rights.READ);
    assertStatus(Status.ERR_ACCESS_DENIED, f.kernel().vmo().setSize(p, fixedRo, 2 * PAGE));
  }

  @Test
  void setSizeRoundsAndGrowsAndShrinks(KernelFixture f) {
    Process p = f.process();
    int h = vmo(f, p, PAGE, Vmo.RESIZABLE);
    assertStatus(Status.OK, f.kernel().vmo().setSize(p, h, 3 * PAGE + 1));
    assertEquals(4 * PAGE, size(f, p, h));
    write(f, p, h, 3 * PAGE, KernelFixture.bytes("in the new page"));
    assertStatus(Status.OK, f.kernel().vmo().setSize(p, h, 1));
    assertEquals(PAGE, size(f, p, h));
    assertStatus(Status.ERR_OUT_OF_RANGE, f.kernel().vmo().read(p, h, 3 * PAGE, 1).status());
    assertStatus(Status.OK, f.kernel().vmo().setSize(p, h, 0));
    assertEquals(0, size(f, p, h));
    assertStatus(Status.ERR_OUT_OF_RANGE, f.kernel().vmo().setSize(p, h, f.kernel().config().maxVmoBytes() + 1));
    assertStatus(Status.ERR_OUT_OF_RANGE, f.kernel().vmo().setSize(p, h, -1));
    assertEquals(0, size(f, p, h), "a failed resize changes nothing");
  }

  @Test
  void shrinkThenGrowReadsZeros(KernelFixture f) {
    Process p = f.process();
    int h = vmo(f, p, 4 * PAGE, Vmo.RESIZABLE);
    ByteString data = pattern(4 * PAGE, 3);
    write(f, p, h, 0, data);
    assertStatus(Status.OK, f.kernel().vmo().setSize(p, h, PAGE + 10)); // keeps 2 pages
    assertEquals(2 * PAGE, size(f, p, h));
    assertEquals(2L * PAGE, ((Vmo) f.object(p, h)).committedBytes());
    assertStatus(Status.OK, f.kernel().vmo().setSize(p, h, 4 * PAGE));
    assertEquals(data.substring(0, 2 * PAGE), read(f, p, h, 0, 2 * PAGE), "kept pages keep their bytes");
    assertEquals(zeros(2 * PAGE), read(f, p, h, 2 * PAGE, 2 * PAGE), "cut-off bytes come back as zeros");
  }

  @Test
  void closingTheLastHandleDestroysTheVmo(KernelFixture f) {
    Process p = f.process();
    int h = vmo(f, p, PAGE, 0);
    int dup = f.duplicate(p, h, Rights.SAME_RIGHTS);
    long koid = f.koid(p, h);
    write(f, p, h, 0, KernelFixture.bytes("x"));
    f.close(p, h);
    assertEquals(KernelFixture.bytes("x"), read(f, p, dup, 0, 1));
    f.close(p, dup);
    assertFalse(f.alive(koid));
    assertEquals(0, f.kernel().memory().used());
  }

  @Test
  void contentsAreByteExact(KernelFixture f) {
    Process p = f.process();
    int h = vmo(f, p, 2 * PAGE, 0);
    byte[] all = new byte[256];
    for (int i = 0; i < 256; i++) {
      all[i] = (byte) i;
    }
    write(f, p, h, PAGE - 128, ByteString.copyFrom(all));
    assertArrayEquals(all, read(f, p, h, PAGE - 128, 256).toByteArray());
  }
}
