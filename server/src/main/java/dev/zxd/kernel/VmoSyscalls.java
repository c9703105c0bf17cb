package dev.zxd.kernel;

import com.google.protobuf.ByteString;

/** zx_vmo_create / read / write / get_size / set_size. */
public final class VmoSyscalls {
  public record ReadResult(int status, ByteString data) {}

  public record SizeResult(int status, long size) {}

  private final Kernel kernel;

  VmoSyscalls(Kernel kernel) {
    this.kernel = kernel;
  }

  /**
   * options: ZX_VMO_RESIZABLE and/or ZX_VMO_DISCARDABLE. The size is rounded up to whole pages; beyond the
   * daemon's maximum VMO size: OUT_OF_RANGE. Resizable VMOs also get ZX_RIGHT_RESIZE.
   */
  public HandleResult create(Process p, long size, int options) {
    if ((options & ~(Vmo.RESIZABLE | Vmo.DISCARDABLE)) != 0) {
      return HandleResult.failed(Status.ERR_INVALID_ARGS);
    }
    long rounded = Vmo.roundToPages(size);
    if (rounded < 0 || rounded > kernel.config().maxVmoBytes()) {
      return HandleResult.failed(Status.ERR_OUT_OF_RANGE);
    }
    int rights = Rights.DEFAULT_VMO | ((options & Vmo.RESIZABLE) != 0 ? Rights.RESIZE : 0);
    return Installer.installOne(p, () -> new Vmo(kernel, rounded, options), rights, "zx_vmo_create");
  }

  public ReadResult read(Process p, int handle, long offset, long len) {
    Handle h = p.handles().get(handle);
    int status = Lookup.check(h, ObjectType.VMO, Rights.READ);
    if (status != Status.OK) {
      return new ReadResult(status, ByteString.EMPTY);
    }
    if (len < 0 || len > Integer.MAX_VALUE) {
      return new ReadResult(Status.ERR_OUT_OF_RANGE, ByteString.EMPTY);
    }
    ByteString[] out = new ByteString[1];
    status = ((Vmo) h.object()).read(offset, (int) len, out);
    return new ReadResult(status, status == Status.OK ? out[0] : ByteString.EMPTY);
  }

  public int write(Process p, int handle, long offset, ByteString data) {
    Handle h = p.handles().get(handle);
    int status = Lookup.check(h, ObjectType.VMO, Rights.WRITE);
    if (status != Status.OK) {
      return status;
    }
    return ((Vmo) h.object()).write(offset, data);
  }

  /** zx_vmo_get_size needs no right ("anyone should be able to get the size"). */
  public SizeResult getSize(Process p, int handle) {
    Handle h = p.handles().get(handle);
    int status = Lookup.check(h, ObjectType.VMO, Rights.NONE);
    if (status != Status.OK) {
      return new SizeResult(status, 0);
    }
    return new SizeResult(Status.OK, ((Vmo) h.object()).size());
  }

  /** zx_vmo_set_size: WRITE (and RESIZE on a resizable VMO); a VMO made without RESIZABLE is UNAVAILABLE. */
  public int setSize(Process p, int handle, long size) {
    Handle h = p.handles().get(handle);
    int status = Lookup.check(h, ObjectType.VMO, Rights.WRITE);
    if (status != Status.OK) {
      return status;
    }
    Vmo vmo = (Vmo) h.object();
    if (vmo.isResizable() && !h.hasRights(Rights.RESIZE)) {
      return Status.ERR_ACCESS_DENIED;
    }
    long rounded = Vmo.roundToPages(size);
    if (rounded < 0 || rounded > kernel.config().maxVmoBytes()) {
      return Status.ERR_OUT_OF_RANGE;
    }
    return vmo.setSize(rounded);
  }
}
