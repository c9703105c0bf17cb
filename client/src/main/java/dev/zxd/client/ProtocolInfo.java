package dev.zxd.client;

import com.google.protobuf.InvalidProtocolBufferException;

/**
 * A WSAPROTOCOL_INFO for zxd: what {@link Socket#duplicateFor} returns and
 * {@link ZxProcess#socketFromProtocolInfo} redeems. Pass it to the target process over any IPC as bytes
 * ({@link #toBytes()} / {@link #fromBytes}); the token inside is a secret and works once, for that process only.
 */
public final class ProtocolInfo {
  private final dev.zxd.proto.v1.ProtocolInfo proto;

  ProtocolInfo(dev.zxd.proto.v1.ProtocolInfo proto) {
    this.proto = proto;
  }

  public static ProtocolInfo fromBytes(byte[] bytes) {
    try {
      return new ProtocolInfo(dev.zxd.proto.v1.ProtocolInfo.parseFrom(bytes));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not a serialized ProtocolInfo", e);
    }
  }

  public byte[] toBytes() {
    return proto.toByteArray();
  }

  public dev.zxd.proto.v1.ProtocolInfo toProto() {
    return proto;
  }

  /** The socket's create options (ZX_SOCKET_STREAM / DATAGRAM, HAS_CONTROL, HAS_ACCEPT). */
  public int options() {
    return proto.getOptions();
  }

  public long sourceProcessId() {
    return proto.getSourceProcessId();
  }

  public long targetProcessId() {
    return proto.getTargetProcessId();
  }

  public long socketKoid() {
    return proto.getSocketKoid();
  }

  public int rights() {
    return proto.getRights();
  }

  /** Monotonic time on the daemon's clock after which the token no longer works. */
  public long expiresAt() {
    return proto.getExpiresAt();
  }

  @Override
  public String toString() {
    // Never print the token.
    return "ProtocolInfo(socket " + socketKoid() + " from process " + sourceProcessId() + " for process "
        + targetProcessId() + ")";
  }
}
