package dev.zxd.client;

import com.google.protobuf.ByteString;
import dev.zxd.proto.v1.ChannelCallArgs;
import dev.zxd.proto.v1.ChannelCallReply;
import dev.zxd.proto.v1.ChannelCallRequest;
import dev.zxd.proto.v1.ChannelReadEtcReply;
import dev.zxd.proto.v1.ChannelReadEtcRequest;
import dev.zxd.proto.v1.ChannelReadReply;
import dev.zxd.proto.v1.ChannelReadRequest;
import dev.zxd.proto.v1.ChannelWriteEtcReply;
import dev.zxd.proto.v1.ChannelWriteEtcRequest;
import dev.zxd.proto.v1.ChannelWriteRequest;
import dev.zxd.proto.v1.HandleDisposition;
import dev.zxd.proto.v1.HandleInfo;
import dev.zxd.proto.v1.HandleOp;
import dev.zxd.proto.v1.Limit;
import dev.zxd.proto.v1.Status;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** One endpoint of a channel. */
public final class Channel extends Handle {
  /** Both endpoints of a new channel. */
  public record Pair(Channel end0, Channel end1) implements AutoCloseable {
    @Override
    public void close() {
      end0.close();
      end1.close();
    }
  }

  Channel(ZxProcess process, int value) {
    super(process, value);
  }

  @Override
  protected Handle rewrap(int newValue) {
    return new Channel(process, newValue);
  }

  @Override
  public Channel replace(int rights) {
    return (Channel) super.replace(rights);
  }

  /** zx_channel_write. The handles leave this process whatever the outcome (Zircon closes them on failure). */
  public void write(ByteString bytes, Handle... handles) {
    ChannelWriteRequest.Builder req = ChannelWriteRequest.newBuilder().setHandle(value()).setBytes(bytes);
    for (Handle h : handles) {
      req.addHandles(h.release());
    }
    ZxException.check(process.stubs().channel.write(req.build()).getStatus(), "zx_channel_write");
  }

  public void write(byte[] bytes, Handle... handles) {
    write(ByteString.copyFrom(bytes), handles);
  }

  public void write(String text, Handle... handles) {
    write(ByteString.copyFrom(text, StandardCharsets.UTF_8), handles);
  }

  /**
   * zx_channel_write_etc. MOVE entries leave this process whatever the outcome; DUPLICATE entries stay. On
   * failure throws {@link WriteEtcException} with every entry's result.
   */
  public void writeEtc(ByteString bytes, Disposition... dispositions) {
    ChannelWriteEtcRequest.Builder req = ChannelWriteEtcRequest.newBuilder().setHandle(value()).setBytes(bytes);
    for (Disposition d : dispositions) {
      req.addHandles(d.toProto());
    }
    for (Disposition d : dispositions) {
      if (d.operation != HandleOp.ZX_HANDLE_OP_DUPLICATE_VALUE) {
        d.handle.release();
      }
    }
    ChannelWriteEtcReply r = process.stubs().channel.writeEtc(req.build());
    if (r.getStatus() != Status.ZX_OK) {
      List<Status> results = new ArrayList<>();
      for (HandleDisposition d : r.getHandlesList()) {
        results.add(d.getResult());
      }
      throw new WriteEtcException(r.getStatus(), results);
    }
  }

  /**
   * zx_channel_read with buffers for the largest message. SHOULD_WAIT (empty) and PEER_CLOSED are thrown as
   * {@link ZxException}; see {@link #tryRead()} for a version that returns null when empty.
   */
  public Message read() {
    ChannelReadReply r = process.stubs().channel.read(ChannelReadRequest.newBuilder().setHandle(value())
        .setNumBytes(Limit.ZX_CHANNEL_MAX_MSG_BYTES_VALUE).setNumHandles(Limit.ZX_CHANNEL_MAX_MSG_HANDLES_VALUE)
        .build());
    ZxException.check(r.getStatus(), "zx_channel_read");
    List<Handle> handles = new ArrayList<>(r.getHandlesCount());
    for (int h : r.getHandlesList()) {
      handles.add(new Handle(process, h));
    }
    return new Message(r.getBytes(), handles);
  }

  /** Like {@link #read()}, but returns null instead of throwing SHOULD_WAIT. */
  public Message tryRead() {
    try {
      return read();
    } catch (ZxException e) {
      if (e.status() == Status.ZX_ERR_SHOULD_WAIT) {
        return null;
      }
      throw e;
    }
  }

  /** zx_channel_read_etc: handles come back typed (Channel, Event, ...) with the rights they carry. */
  public Message readEtc() {
    ChannelReadEtcReply r = process.stubs().channel.readEtc(ChannelReadEtcRequest.newBuilder()
        .setHandle(value()).setNumBytes(Limit.ZX_CHANNEL_MAX_MSG_BYTES_VALUE)
        .setNumHandles(Limit.ZX_CHANNEL_MAX_MSG_HANDLES_VALUE).build());
    ZxException.check(r.getStatus(), "zx_channel_read_etc");
    List<Handle> handles = new ArrayList<>(r.getHandlesCount());
    for (HandleInfo info : r.getHandlesList()) {
      handles.add(process.wrap(info.getHandle(), info.getType()));
    }
    return new Message(r.getBytes(), handles);
  }

  /**
   * zx_channel_call: writes {@code bytes} (at least 4; the first 4 become the transaction id) and waits until
   * {@code deadline} for the reply carrying the same id.
   */
  public Message call(ByteString bytes, long deadline, Handle... handles) {
    ChannelCallArgs.Builder args = ChannelCallArgs.newBuilder().setWrBytes(bytes)
        .setRdNumBytes(Limit.ZX_CHANNEL_MAX_MSG_BYTES_VALUE)
        .setRdNumHandles(Limit.ZX_CHANNEL_MAX_MSG_HANDLES_VALUE);
    for (Handle h : handles) {
      args.addWrHandles(h.release());
    }
    ChannelCallReply r = process.stubs().channel.call(ChannelCallRequest.newBuilder().setHandle(value())
        .setDeadline(deadline).setArgs(args).build());
    ZxException.check(r.getStatus(), "zx_channel_call");
    List<Handle> received = new ArrayList<>(r.getRdHandlesCount());
    for (int h : r.getRdHandlesList()) {
      received.add(new Handle(process, h));
    }
    return new Message(r.getRdBytes(), received);
  }
}
