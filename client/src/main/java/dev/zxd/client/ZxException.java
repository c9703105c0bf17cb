package dev.zxd.client;

import dev.zxd.proto.v1.Status;

/** A syscall returned a status other than ZX_OK. {@link #status()} says which. */
public class ZxException extends RuntimeException {
  private final Status status;

  public ZxException(Status status, String syscall) {
    super(syscall + ": " + status.name());
    this.status = status;
  }

  public Status status() {
    return status;
  }

  /** Throws unless {@code status} is ZX_OK. */
  static void check(Status status, String syscall) {
    if (status != Status.ZX_OK) {
      throw new ZxException(status, syscall);
    }
  }
}
