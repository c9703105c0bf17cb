package dev.zxd.cli.soak;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.zxd.proto.v1.ChannelReadEtcRequest;
import dev.zxd.proto.v1.ChannelWriteEtcRequest;
import dev.zxd.proto.v1.ChannelWriteRequest;
import dev.zxd.proto.v1.HandleCloseRequest;
import dev.zxd.proto.v1.HandleDisposition;
import dev.zxd.proto.v1.HandleOp;
import dev.zxd.proto.v1.ObjType;
import dev.zxd.proto.v1.ObjectWaitOneRequest;
import dev.zxd.proto.v1.ProtocolInfo;
import dev.zxd.proto.v1.Right;
import dev.zxd.proto.v1.SocketAcceptRequest;
import dev.zxd.proto.v1.SocketCreateFromProtocolInfoRequest;
import dev.zxd.proto.v1.SocketDuplicateForProcessRequest;
import dev.zxd.proto.v1.SocketReadRequest;
import dev.zxd.proto.v1.SocketShareRequest;
import dev.zxd.proto.v1.SocketWriteRequest;
import dev.zxd.proto.v1.SyscallRequest;
import java.nio.ByteBuffer;

/**
 * What the soak puts on the wire, and the syscall requests it sends.
 *
 * <p>A channel message is: link id (8 bytes), sequence number (8), kind (1); a MOVE message then names the
 * endpoint its one handle is (link id 8, tx 1); a TOKEN message names the socket endpoint (link id 8, tx 1)
 * followed by the serialized protocol info to redeem. A socket record is 16 bytes: sequence number, link id.
 */
final class Wire {
  private Wire() {}

  static final byte DATA = 0;
  static final byte MOVE = 1;
  static final byte TOKEN = 2;

  /** A decoded channel message. */
  record ChannelMessage(long linkId, long seq, byte kind, long cargoLinkId, boolean cargoTx, ProtocolInfo token) {}

  static ByteString data(long linkId, long seq) {
    return ByteString.copyFrom(ByteBuffer.allocate(17).putLong(linkId).putLong(seq).put(DATA).array());
  }

  static ByteString move(long linkId, long seq, Link.End cargo) {
    return ByteString.copyFrom(ByteBuffer.allocate(26).putLong(linkId).putLong(seq).put(MOVE)
        .putLong(cargo.link.id).put((byte) (cargo.tx ? 1 : 0)).array());
  }

  static ByteString token(long linkId, long seq, Link.End cargo, ProtocolInfo info) {
    byte[] t = info.toByteArray();
    return ByteString.copyFrom(ByteBuffer.allocate(26 + t.length).putLong(linkId).putLong(seq).put(TOKEN)
        .putLong(cargo.link.id).put((byte) (cargo.tx ? 1 : 0)).put(t).array());
  }

  /** Null when the bytes are not a soak message. */
  static ChannelMessage parse(ByteString bytes) {
    if (bytes.size() < 17) {
      return null;
    }
    ByteBuffer b = bytes.asReadOnlyByteBuffer();
    long link = b.getLong();
    long seq = b.getLong();
    byte kind = b.get();
    if (kind == DATA) {
      return bytes.size() == 17 ? new ChannelMessage(link, seq, kind, 0, false, null) : null;
    }
    if ((kind != MOVE && kind != TOKEN) || b.remaining() < 9) {
      return null;
    }
    long cargo = b.getLong();
    boolean tx = b.get() == 1;
    if (kind == MOVE) {
      return b.remaining() == 0 ? new ChannelMessage(link, seq, kind, cargo, tx, null) : null;
    }
    try {
      return new ChannelMessage(link, seq, kind, cargo, tx, ProtocolInfo.parseFrom(b));
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }

  /** {@code n} consecutive records from {@code first}. */
  static ByteString records(long linkId, long first, int n) {
    ByteBuffer b = ByteBuffer.allocate(n * Link.RECORD_BYTES);
    for (int i = 0; i < n; i++) {
      b.putLong(first + i).putLong(linkId);
    }
    return ByteString.copyFrom(b.array());
  }

  // ---- requests ----

  static SyscallRequest.Builder write(int h, ByteString bytes) {
    return SyscallRequest.newBuilder().setChannelWrite(ChannelWriteRequest.newBuilder().setHandle(h)
        .setBytes(bytes));
  }

  static SyscallRequest.Builder writeMove(int h, ByteString bytes, int moved, Link.Kind movedKind) {
    int type = movedKind == Link.Kind.CHANNEL ? ObjType.ZX_OBJ_TYPE_CHANNEL_VALUE : ObjType.ZX_OBJ_TYPE_SOCKET_VALUE;
    return SyscallRequest.newBuilder().setChannelWriteEtc(ChannelWriteEtcRequest.newBuilder().setHandle(h)
        .setBytes(bytes).addHandles(HandleDisposition.newBuilder().setOperation(HandleOp.ZX_HANDLE_OP_MOVE_VALUE)
            .setHandle(moved).setType(type).setRights(Right.ZX_RIGHT_SAME_RIGHTS_VALUE)));
  }

  static SyscallRequest.Builder readEtc(int h) {
    return SyscallRequest.newBuilder().setChannelReadEtc(ChannelReadEtcRequest.newBuilder().setHandle(h)
        .setNumBytes(65536).setNumHandles(64));
  }

  static SyscallRequest.Builder socketWrite(int h, ByteString data) {
    return SyscallRequest.newBuilder().setSocketWrite(SocketWriteRequest.newBuilder().setHandle(h)
        .setBuffer(data));
  }

  static SyscallRequest.Builder socketRead(int h, int max) {
    return SyscallRequest.newBuilder().setSocketRead(SocketReadRequest.newBuilder().setHandle(h)
        .setBufferSize(max));
  }

  static SyscallRequest.Builder share(int via, int shared) {
    return SyscallRequest.newBuilder().setSocketShare(SocketShareRequest.newBuilder().setHandle(via)
        .setSocketToShare(shared));
  }

  static SyscallRequest.Builder accept(int h) {
    return SyscallRequest.newBuilder().setSocketAccept(SocketAcceptRequest.newBuilder().setHandle(h));
  }

  static SyscallRequest.Builder duplicateFor(int h, long pid) {
    return SyscallRequest.newBuilder().setSocketDuplicateForProcess(SocketDuplicateForProcessRequest.newBuilder()
        .setHandle(h).setProcessId(pid));
  }

  static SyscallRequest.Builder redeem(ProtocolInfo info) {
    return SyscallRequest.newBuilder().setSocketCreateFromProtocolInfo(SocketCreateFromProtocolInfoRequest
        .newBuilder().setProtocolInfo(info));
  }

  static SyscallRequest.Builder close(int h) {
    return SyscallRequest.newBuilder().setHandleClose(HandleCloseRequest.newBuilder().setHandle(h));
  }

  /** The signals now: a wait that times out at once (deadline 0) reports them. */
  static SyscallRequest.Builder signalsNow(int h, int signals) {
    return SyscallRequest.newBuilder().setObjectWaitOne(ObjectWaitOneRequest.newBuilder().setHandle(h)
        .setSignals(signals).setDeadline(0));
  }
}
