package dev.zxd.client;

import dev.zxd.proto.v1.TimerCancelRequest;
import dev.zxd.proto.v1.TimerSetRequest;

/** A timer: ZX_TIMER_SIGNALED at a deadline on the daemon's monotonic clock. */
public final class Timer extends Handle {
  Timer(ZxProcess process, int value) {
    super(process, value);
  }

  @Override
  protected Handle rewrap(int newValue) {
    return new Timer(process, newValue);
  }

  /** zx_timer_set. */
  public void set(long deadline, long slack) {
    ZxException.check(process.stubs().timer.set(TimerSetRequest.newBuilder().setHandle(value())
        .setDeadline(deadline).setSlack(slack).build()).getStatus(), "zx_timer_set");
  }

  /** zx_timer_cancel. */
  public void cancel() {
    ZxException.check(process.stubs().timer.cancel(TimerCancelRequest.newBuilder().setHandle(value()).build())
        .getStatus(), "zx_timer_cancel");
  }
}
