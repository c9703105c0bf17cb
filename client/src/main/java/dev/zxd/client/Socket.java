package dev.zxd.client;

import com.google.protobuf.ByteString;
import dev.zxd.proto.v1.InfoSocket;
import dev.zxd.proto.v1.InfoTopic;
import dev.zxd.proto.v1.ObjectGetInfoReply;
import dev.zxd.proto.v1.ObjectGetInfoRequest;
import dev.zxd.proto.v1.ObjectGetPropertyReply;
import dev.zxd.proto.v1.ObjectGetPropertyRequest;
import dev.zxd.proto.v1.ObjectSetPropertyRequest;
import dev.zxd.proto.v1.Property;
import dev.zxd.proto.v1.SocketAcceptReply;
import dev.zxd.proto.v1.SocketAcceptRequest;
import dev.zxd.proto.v1.SocketDuplicateForProcessReply;
import dev.zxd.proto.v1.SocketDuplicateForProcessRequest;
import dev.zxd.proto.v1.SocketOption;
import dev.zxd.proto.v1.SocketReadReply;
import dev.zxd.proto.v1.SocketReadRequest;
import dev.zxd.proto.v1.SocketShareRequest;
import dev.zxd.proto.v1.SocketShutdownRequest;
import dev.zxd.proto.v1.SocketWriteReply;
import dev.zxd.proto.v1.SocketWriteRequest;
import java.nio.charset.StandardCharsets;

/** One end of a socket (stream or datagram). */
public final class Socket extends Handle {
  /** Both ends of a new socket. */
  public record Pair(Socket end0, Socket end1) implements AutoCloseable {
    @Override
    public void close() {
      end0.close();
      end1.close();
    }
  }

  Socket(ZxProcess process, int value) {
    super(process, value);
  }

  @Override
  protected Handle rewrap(int newValue) {
    return new Socket(process, newValue);
  }

  @Override
  public Socket duplicate(int rights) {
    return (Socket) super.duplicate(rights);
  }

  @Override
  public Socket replace(int rights) {
    return (Socket) super.replace(rights);
  }

  /** zx_socket_write: returns the bytes written (a stream write may be short; datagrams are all or nothing). */
  public int write(ByteString data) {
    return write(0, data);
  }

  public int write(String text) {
    return write(ByteString.copyFrom(text, StandardCharsets.UTF_8));
  }

  public int write(byte[] data) {
    return write(ByteString.copyFrom(data));
  }

  /** zx_socket_write with ZX_SOCKET_CONTROL (sockets made with ZX_SOCKET_HAS_CONTROL). */
  public int writeControl(ByteString message) {
    return write(SocketOption.ZX_SOCKET_CONTROL_VALUE, message);
  }

  private int write(int options, ByteString data) {
    SocketWriteReply r = process.stubs().socket.write(SocketWriteRequest.newBuilder()
        .setHandle(value()).setOptions(options).setBuffer(data).build());
    ZxException.check(r.getStatus(), "zx_socket_write");
    return r.getActual();
  }

  /** zx_socket_read of at most {@code max} bytes (one datagram, truncated to {@code max}, for datagrams). */
  public ByteString read(int max) {
    return read(0, max);
  }

  /** zx_socket_read with ZX_SOCKET_PEEK: the same bytes a read would return, left in the socket. */
  public ByteString peek(int max) {
    return read(SocketOption.ZX_SOCKET_PEEK_VALUE, max);
  }

  /** zx_socket_read with ZX_SOCKET_CONTROL. */
  public ByteString readControl(int max) {
    return read(SocketOption.ZX_SOCKET_CONTROL_VALUE, max);
  }

  private ByteString read(int options, int max) {
    SocketReadReply r = process.stubs().socket.read(SocketReadRequest.newBuilder()
        .setHandle(value()).setOptions(options).setBufferSize(max).build());
    ZxException.check(r.getStatus(), "zx_socket_read");
    return r.getBuffer();
  }

  /** zx_socket_shutdown with ZX_SOCKET_SHUTDOWN_WRITE and/or ZX_SOCKET_SHUTDOWN_READ. */
  public void shutdown(int options) {
    ZxException.check(process.stubs().socket.shutdown(SocketShutdownRequest.newBuilder()
        .setHandle(value()).setOptions(options).build()).getStatus(), "zx_socket_shutdown");
  }

  /** zx_socket_share: {@code other} leaves this process whatever the outcome (closed on failure). */
  public void share(Socket other) {
    int v = other.release();
    ZxException.check(process.stubs().socket.share(SocketShareRequest.newBuilder()
        .setHandle(value()).setSocketToShare(v).build()).getStatus(), "zx_socket_share");
  }

  /** zx_socket_accept. */
  public Socket accept() {
    SocketAcceptReply r = process.stubs().socket.accept(SocketAcceptRequest.newBuilder()
        .setHandle(value()).build());
    ZxException.check(r.getStatus(), "zx_socket_accept");
    return new Socket(process, r.getOutSocket());
  }

  /** WSADuplicateSocket: a one-time token for process {@code processId} to get its own handle to this socket. */
  public ProtocolInfo duplicateFor(long processId) {
    SocketDuplicateForProcessReply r = process.stubs().socket.duplicateForProcess(
        SocketDuplicateForProcessRequest.newBuilder().setHandle(value()).setProcessId(processId).build());
    ZxException.check(r.getStatus(), "socket_duplicate_for_process");
    return new ProtocolInfo(r.getProtocolInfo());
  }

  /** ZX_INFO_SOCKET. */
  public InfoSocket info() {
    ObjectGetInfoReply r = process.stubs().object.getInfo(ObjectGetInfoRequest.newBuilder().setHandle(value())
        .setTopic(InfoTopic.ZX_INFO_SOCKET_VALUE).setBufferSize(48).build());
    ZxException.check(r.getStatus(), "zx_object_get_info");
    return r.getSocket();
  }

  /** ZX_PROP_SOCKET_RX_THRESHOLD (0 disables). */
  public void setReadThreshold(long bytes) {
    setProperty(Property.ZX_PROP_SOCKET_RX_THRESHOLD_VALUE, bytes);
  }

  /** ZX_PROP_SOCKET_TX_THRESHOLD (0 disables). */
  public void setWriteThreshold(long bytes) {
    setProperty(Property.ZX_PROP_SOCKET_TX_THRESHOLD_VALUE, bytes);
  }

  public long readThreshold() {
    return getProperty(Property.ZX_PROP_SOCKET_RX_THRESHOLD_VALUE);
  }

  public long writeThreshold() {
    return getProperty(Property.ZX_PROP_SOCKET_TX_THRESHOLD_VALUE);
  }

  private void setProperty(int property, long value) {
    ZxException.check(process.stubs().object.setProperty(ObjectSetPropertyRequest.newBuilder()
        .setHandle(value()).setProperty(property).setNumber(value).build()).getStatus(), "zx_object_set_property");
  }

  private long getProperty(int property) {
    ObjectGetPropertyReply r = process.stubs().object.getProperty(ObjectGetPropertyRequest.newBuilder()
        .setHandle(value()).setProperty(property).setValueSize(8).build());
    ZxException.check(r.getStatus(), "zx_object_get_property");
    return r.getNumber();
  }
}
