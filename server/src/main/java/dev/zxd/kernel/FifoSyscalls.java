package dev.zxd.kernel;

import com.google.protobuf.ByteString;

/** zx_fifo_create / write / read. */
public final class FifoSyscalls {
  public record ReadResult(int status, ByteString data, int actualCount) {}

  public record WriteResult(int status, int actualCount) {}

  private final Kernel kernel;

  FifoSyscalls(Kernel kernel) {
    this.kernel = kernel;
  }

  /**
   * Zero counts or sizes, or more than 4 096 bytes in all: OUT_OF_RANGE. No power of two is needed (current
   * Fuchsia). options must be 0 (INVALID_ARGS otherwise, as documented; Zircon's code ignores them). Then
   * the daemon's limits: NO_RESOURCES without room for two handles, NO_MEMORY if the budget cannot hold both
   * buffers.
   */
  public HandlePairResult create(Process p, int elemCount, int elemSize, int options) {
    if (elemCount <= 0 || elemSize <= 0 || elemCount > Fifo.MAX_SIZE_BYTES || elemSize > Fifo.MAX_SIZE_BYTES
        || (long) elemCount * elemSize > Fifo.MAX_SIZE_BYTES) {
      return HandlePairResult.failed(Status.ERR_OUT_OF_RANGE);
    }
    if (options != 0) {
      return HandlePairResult.failed(Status.ERR_INVALID_ARGS);
    }
    if (!p.handles().hasRoomFor(2)) {
      return HandlePairResult.failed(Status.ERR_NO_RESOURCES);
    }
    if (!kernel.memory().reserve(2 * Fifo.bufferBytes(elemCount, elemSize))) {
      return HandlePairResult.failed(Status.ERR_NO_MEMORY);
    }
    Fifo[] pair = Fifo.createPair(kernel, elemCount, elemSize);
    return Installer.installPair(p, pair[0], pair[1], Rights.DEFAULT_FIFO, "zx_fifo_create");
  }

  /**
   * zx_fifo_write: PEER_CLOSED first, then OUT_OF_RANGE for a wrong element size or a zero count, INVALID_ARGS if
   * the data is not count elements long; then as many elements as fit (SHOULD_WAIT if none).
   */
  public WriteResult write(Process p, int handle, int elemSize, ByteString data, int count) {
    Handle h = p.handles().get(handle);
    int status = Lookup.check(h, ObjectType.FIFO, Rights.WRITE);
    if (status != Status.OK) {
      return new WriteResult(status, 0);
    }
    Wakeups wakeups = new Wakeups();
    int n = ((Fifo) h.object()).write(elemSize, data, count, wakeups);
    wakeups.run();
    return n < 0 ? new WriteResult(n, 0) : new WriteResult(Status.OK, n);
  }

  public ReadResult read(Process p, int handle, int elemSize, int count) {
    Handle h = p.handles().get(handle);
    int status = Lookup.check(h, ObjectType.FIFO, Rights.READ);
    if (status != Status.OK) {
      return new ReadResult(status, ByteString.EMPTY, 0);
    }
    Fifo fifo = (Fifo) h.object();
    if (elemSize != fifo.elemSize() || count <= 0) {
      return new ReadResult(Status.ERR_OUT_OF_RANGE, ByteString.EMPTY, 0);
    }
    ByteString[] out = new ByteString[1];
    Wakeups wakeups = new Wakeups();
    int n = fifo.read(count, out, wakeups);
    wakeups.run();
    return n < 0 ? new ReadResult(n, ByteString.EMPTY, 0) : new ReadResult(Status.OK, out[0], n);
  }
}
