package dev.zxd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.zxd.proto.v1.ChannelCreateRequest;
import dev.zxd.proto.v1.ChannelReadRequest;
import dev.zxd.proto.v1.ChannelWriteRequest;
import dev.zxd.proto.v1.EventCreateRequest;
import dev.zxd.proto.v1.ObjectWaitOneRequest;
import dev.zxd.proto.v1.Status;
import dev.zxd.proto.v1.SyscallReply;
import dev.zxd.testing.ZxdExtension;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Java client's syscall stream: futures, and a pipelined batch. */
class SyscallStreamClientTest {
  @RegisterExtension
  static final ZxdExtension ZXD = ZxdExtension.tcp();

  @Test
  void createWriteAndReadInOneBatch() throws Exception {
    try (Zxd zxd = Zxd.connect(ZXD.target()); ZxProcess p = zxd.createProcess("batcher");
         SyscallStream s = p.stream()) {
      SyscallStream.Batch b = s.batch();
      SyscallStream.Step create = b.add(r -> r.proto().setChannelCreate(ChannelCreateRequest.getDefaultInstance()));
      SyscallStream.Step write = b.add(r -> r.proto().setChannelWrite(ChannelWriteRequest.newBuilder()
          .setHandle(r.ref(create, 0)).setBytes(ByteString.copyFromUtf8("pipelined"))));
      SyscallStream.Step read = b.add(r -> r.proto().setChannelRead(ChannelReadRequest.newBuilder()
          .setHandle(r.ref(create, 1)).setNumBytes(64)));
      List<SyscallReply> replies = b.send().get(10, TimeUnit.SECONDS);
      assertEquals(List.of(create.id(), write.id(), read.id()), replies.stream().map(SyscallReply::getId).toList());
      assertEquals("pipelined", read.reply().get().getChannelRead().getBytes().toStringUtf8());
    }
  }

  @Test
  void futuresCompleteWithTheirOwnReplies() throws Exception {
    try (Zxd zxd = Zxd.connect(ZXD.target()); ZxProcess p = zxd.createProcess("async");
         SyscallStream s = p.stream()) {
      int event = s.call(dev.zxd.proto.v1.SyscallRequest.newBuilder()
          .setEventCreate(EventCreateRequest.getDefaultInstance())).get(10, TimeUnit.SECONDS)
          .getEventCreate().getOut();
      CompletableFuture<SyscallReply> wait = s.call(dev.zxd.proto.v1.SyscallRequest.newBuilder().setObjectWaitOne(
          ObjectWaitOneRequest.newBuilder().setHandle(event).setSignals(1 << 24).setDeadline(Long.MAX_VALUE)));
      assertTrue(!wait.isDone());
      p.handle(event).signal(0, 1 << 24);
      SyscallReply r = wait.get(10, TimeUnit.SECONDS);
      assertEquals(Status.ZX_OK, r.getObjectWaitOne().getStatus());
    }
  }
}
