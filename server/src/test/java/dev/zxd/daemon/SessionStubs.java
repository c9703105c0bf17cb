package dev.zxd.daemon;

import dev.zxd.proto.v1.ChannelGrpc;
import dev.zxd.proto.v1.EventGrpc;
import dev.zxd.proto.v1.HandleGrpc;
import dev.zxd.proto.v1.ObjectGrpc;
import dev.zxd.proto.v1.ProcessCreateReply;
import dev.zxd.proto.v1.ProcessCreateRequest;
import dev.zxd.proto.v1.ProcessGrpc;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;

/** A test process speaking the raw API: the generated stubs with its session attached. */
final class SessionStubs {
  static final Metadata.Key<String> SESSION = Metadata.Key.of("zx-session", Metadata.ASCII_STRING_MARSHALLER);

  final long processId;
  final String token;
  final HandleGrpc.HandleBlockingStub handle;
  final ObjectGrpc.ObjectBlockingStub object;
  final ChannelGrpc.ChannelBlockingStub channel;
  final EventGrpc.EventBlockingStub event;
  final ProcessGrpc.ProcessBlockingStub process;
  final ProcessGrpc.ProcessStub processAsync;

  private SessionStubs(Channel transport, long processId, String token) {
    this.processId = processId;
    this.token = token;
    Metadata md = new Metadata();
    md.put(SESSION, token);
    Channel ch = ClientInterceptors.intercept(transport, MetadataUtils.newAttachHeadersInterceptor(md));
    handle = HandleGrpc.newBlockingStub(ch);
    object = ObjectGrpc.newBlockingStub(ch);
    channel = ChannelGrpc.newBlockingStub(ch);
    event = EventGrpc.newBlockingStub(ch);
    process = ProcessGrpc.newBlockingStub(ch);
    processAsync = ProcessGrpc.newStub(ch);
  }

  /** A new top-level process on {@code transport}. */
  static SessionStubs create(Channel transport, String name) {
    ProcessCreateReply r = ProcessGrpc.newBlockingStub(transport)
        .create(ProcessCreateRequest.newBuilder().setName(name).build());
    return new SessionStubs(transport, r.getProcessId(), r.getSessionToken());
  }
}
