package dev.zxd.client;

import com.google.protobuf.ByteString;
import dev.zxd.proto.v1.FifoReadReply;
import dev.zxd.proto.v1.FifoReadRequest;
import dev.zxd.proto.v1.FifoWriteReply;
import dev.zxd.proto.v1.FifoWriteRequest;

/** One end of a FIFO of fixed-size elements. */
public final class Fifo extends Handle {
  /** Both ends of a new FIFO. */
  public record Pair(Fifo end0, Fifo end1) {}

  private final int elemSize;

  Fifo(ZxProcess process, int value, int elemSize) {
    super(process, value);
    this.elemSize = elemSize;
  }

  @Override
  protected Handle rewrap(int newValue) {
    return new Fifo(process, newValue, elemSize);
  }

  public int elemSize() {
    return elemSize;
  }

  /** zx_fifo_write of {@code data.size() / elemSize} elements; returns how many fit (SHOULD_WAIT if none). */
  public int write(ByteString data) {
    FifoWriteReply r = process.stubs().fifo.write(FifoWriteRequest.newBuilder().setHandle(value())
        .setElemSize(elemSize).setData(data).setCount(data.size() / elemSize).build());
    ZxException.check(r.getStatus(), "zx_fifo_write");
    return r.getActualCount();
  }

  /** zx_fifo_read of at most {@code count} elements. */
  public ByteString read(int count) {
    FifoReadReply r = process.stubs().fifo.read(FifoReadRequest.newBuilder().setHandle(value())
        .setElemSize(elemSize).setCount(count).build());
    ZxException.check(r.getStatus(), "zx_fifo_read");
    return r.getData();
  }
}
