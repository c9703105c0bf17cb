package dev.zxd.kernel;

import com.google.protobuf.ByteString;

/**
 * One channel message: bytes and the handles travelling with it. The bytes are the writer's buffer itself
 * (immutable), so no copy is made between the write and the read.
 */
final class MessagePacket {
  static final Handle[] NO_HANDLES = new Handle[0];
  /** What a queued message costs the memory budget beyond its payload: the packet and its queue slot... */
  static final int OVERHEAD_BYTES = 64;
  /** ...and each handle it carries. */
  static final int HANDLE_OVERHEAD_BYTES = 16;

  final ByteString bytes;
  final Handle[] handles;

  MessagePacket(ByteString bytes, Handle[] handles) {
    this.bytes = bytes;
    this.handles = handles;
  }

  /** What this message costs the memory budget while it is queued. */
  long charge() {
    return bytes.size() + OVERHEAD_BYTES + (long) HANDLE_OVERHEAD_BYTES * handles.length;
  }

  /** The transaction id (little-endian, first 4 bytes), or 0 for a message too short to carry one. */
  int txid() {
    if (bytes.size() < 4) {
      return 0;
    }
    return (bytes.byteAt(0) & 0xFF) | (bytes.byteAt(1) & 0xFF) << 8 | (bytes.byteAt(2) & 0xFF) << 16
        | (bytes.byteAt(3) & 0xFF) << 24;
  }

  /** Destroys the message: every handle in it is closed (deferred, so nesting cannot recurse). */
  void destroy(Wakeups wakeups) {
    for (Handle h : handles) {
      wakeups.release(h);
    }
  }
}
