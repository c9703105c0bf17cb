package dev.zxd.kernel;

/** A syscall's status and the two handle values it made (0 when the status is not OK). */
public record HandlePairResult(int status, int out0, int out1) {
  static HandlePairResult failed(int status) {
    return new HandlePairResult(status, 0, 0);
  }
}
