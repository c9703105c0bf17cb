package dev.zxd.kernel;

/** A syscall's status and the handle value it made ({@code out}; 0 when the status is not OK). */
public record HandleResult(int status, int out) {
  static HandleResult failed(int status) {
    return new HandleResult(status, 0);
  }
}
