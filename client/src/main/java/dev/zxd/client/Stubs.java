package dev.zxd.client;

import dev.zxd.proto.v1.ChannelGrpc;
import dev.zxd.proto.v1.EventGrpc;
import dev.zxd.proto.v1.EventPairGrpc;
import dev.zxd.proto.v1.HandleGrpc;
import dev.zxd.proto.v1.ObjectGrpc;
import dev.zxd.proto.v1.ProcessGrpc;
import dev.zxd.proto.v1.FifoGrpc;
import dev.zxd.proto.v1.PortGrpc;
import dev.zxd.proto.v1.SocketGrpc;
import dev.zxd.proto.v1.TimerGrpc;
import dev.zxd.proto.v1.VmoGrpc;
import dev.zxd.proto.v1.TaskGrpc;
import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;

/** The generated stubs of one process, every call carrying its session token. For raw access to the API. */
public final class Stubs {
  public static final Metadata.Key<String> SESSION_KEY =
      Metadata.Key.of("zx-session", Metadata.ASCII_STRING_MARSHALLER);

  public final HandleGrpc.HandleBlockingStub handle;
  public final ObjectGrpc.ObjectBlockingStub object;
  public final ObjectGrpc.ObjectFutureStub objectAsync;
  public final ChannelGrpc.ChannelBlockingStub channel;
  public final ChannelGrpc.ChannelFutureStub channelAsync;
  public final EventGrpc.EventBlockingStub event;
  public final EventPairGrpc.EventPairBlockingStub eventPair;
  public final ProcessGrpc.ProcessBlockingStub process;
  public final ProcessGrpc.ProcessStub processAsync;
  public final TaskGrpc.TaskBlockingStub task;
  public final SocketGrpc.SocketBlockingStub socket;
  public final PortGrpc.PortBlockingStub port;
  public final TimerGrpc.TimerBlockingStub timer;
  public final VmoGrpc.VmoBlockingStub vmo;
  public final FifoGrpc.FifoBlockingStub fifo;
  private final Channel transport;

  /** The transport with this process's session attached, for stubs made elsewhere. */
  public Channel sessionChannel() {
    return transport;
  }

  /** A fresh blocking Port stub, bound to the caller's current gRPC context (for cancelable streams). */
  PortGrpc.PortBlockingStub portBlocking() {
    return PortGrpc.newBlockingStub(transport);
  }

  Stubs(Channel transport, String sessionToken) {
    Metadata headers = new Metadata();
    headers.put(SESSION_KEY, sessionToken);
    ClientInterceptor session = MetadataUtils.newAttachHeadersInterceptor(headers);
    Channel ch = ClientInterceptors.intercept(transport, session);
    handle = HandleGrpc.newBlockingStub(ch);
    object = ObjectGrpc.newBlockingStub(ch);
    objectAsync = ObjectGrpc.newFutureStub(ch);
    channel = ChannelGrpc.newBlockingStub(ch);
    channelAsync = ChannelGrpc.newFutureStub(ch);
    event = EventGrpc.newBlockingStub(ch);
    eventPair = EventPairGrpc.newBlockingStub(ch);
    process = ProcessGrpc.newBlockingStub(ch);
    processAsync = ProcessGrpc.newStub(ch);
    task = TaskGrpc.newBlockingStub(ch);
    socket = SocketGrpc.newBlockingStub(ch);
    port = PortGrpc.newBlockingStub(ch);
    timer = TimerGrpc.newBlockingStub(ch);
    vmo = VmoGrpc.newBlockingStub(ch);
    fifo = FifoGrpc.newBlockingStub(ch);
    this.transport = ch;
  }
}
