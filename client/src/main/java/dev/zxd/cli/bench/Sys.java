package dev.zxd.cli.bench;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import dev.zxd.client.SyscallStream;
import dev.zxd.client.ZxProcess;
import dev.zxd.proto.v1.ChannelGrpc;
import dev.zxd.proto.v1.ObjectGrpc;
import dev.zxd.proto.v1.SocketGrpc;
import dev.zxd.proto.v1.Status;
import dev.zxd.proto.v1.SyscallReply;
import dev.zxd.proto.v1.SyscallRequest;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * One process's syscalls as futures, over unary RPCs (one gRPC call per syscall) or over the process's
 * Kernel/Invoke stream. The patterns are written once against this and run in either mode.
 */
abstract class Sys implements AutoCloseable {
  /** Sends one syscall; completes with its reply (whatever its status). */
  abstract CompletableFuture<SyscallReply> call(SyscallRequest.Builder request);

  @Override
  public void close() {}

  static Sys of(ZxProcess process, BenchCommand.Mode mode) {
    return mode == BenchCommand.Mode.unary ? new Unary(process) : new Streamed(process.stream());
  }

  /** Each syscall its own unary RPC (the generated future stubs). */
  static final class Unary extends Sys {
    private final ChannelGrpc.ChannelFutureStub channel;
    private final ObjectGrpc.ObjectFutureStub object;
    private final SocketGrpc.SocketFutureStub socket;

    Unary(ZxProcess process) {
      io.grpc.Channel ch = process.stubs().sessionChannel();
      channel = ChannelGrpc.newFutureStub(ch);
      object = ObjectGrpc.newFutureStub(ch);
      socket = SocketGrpc.newFutureStub(ch);
    }

    @Override
    CompletableFuture<SyscallReply> call(SyscallRequest.Builder r) {
      switch (r.getSyscallCase()) {
        case CHANNEL_WRITE:
          return wrap(channel.write(r.getChannelWrite()), SyscallReply.Builder::setChannelWrite, x -> x.getStatus());
        case CHANNEL_WRITE_ETC:
          return wrap(channel.writeEtc(r.getChannelWriteEtc()), SyscallReply.Builder::setChannelWriteEtc,
              x -> x.getStatus());
        case CHANNEL_READ:
          return wrap(channel.read(r.getChannelRead()), SyscallReply.Builder::setChannelRead, x -> x.getStatus());
        case CHANNEL_READ_ETC:
          return wrap(channel.readEtc(r.getChannelReadEtc()), SyscallReply.Builder::setChannelReadEtc,
              x -> x.getStatus());
        case OBJECT_WAIT_ONE:
          return wrap(object.waitOne(r.getObjectWaitOne()), SyscallReply.Builder::setObjectWaitOne,
              x -> x.getStatus());
        case OBJECT_WAIT_ASYNC:
          return wrap(object.waitAsync(r.getObjectWaitAsync()), SyscallReply.Builder::setObjectWaitAsync,
              x -> x.getStatus());
        case OBJECT_SIGNAL:
          return wrap(object.signal(r.getObjectSignal()), SyscallReply.Builder::setObjectSignal, x -> x.getStatus());
        case SOCKET_WRITE:
          return wrap(socket.write(r.getSocketWrite()), SyscallReply.Builder::setSocketWrite, x -> x.getStatus());
        case SOCKET_READ:
          return wrap(socket.read(r.getSocketRead()), SyscallReply.Builder::setSocketRead, x -> x.getStatus());
        default:
          throw new IllegalArgumentException("bench has no unary mapping for " + r.getSyscallCase());
      }
    }

    private static <T> CompletableFuture<SyscallReply> wrap(ListenableFuture<T> f,
        BiConsumer<SyscallReply.Builder, T> set, Function<T, Status> status) {
      CompletableFuture<SyscallReply> out = new CompletableFuture<>();
      Futures.addCallback(f, new FutureCallback<T>() {
        @Override
        public void onSuccess(T reply) {
          SyscallReply.Builder b = SyscallReply.newBuilder().setStatus(status.apply(reply));
          set.accept(b, reply);
          out.complete(b.build());
        }

        @Override
        public void onFailure(Throwable t) {
          out.completeExceptionally(t);
        }
      }, MoreExecutors.directExecutor());
      return out;
    }
  }

  /** Every syscall on the process's one Kernel/Invoke stream. */
  static final class Streamed extends Sys {
    private final SyscallStream stream;

    Streamed(SyscallStream stream) {
      this.stream = stream;
    }

    SyscallStream stream() {
      return stream;
    }

    @Override
    CompletableFuture<SyscallReply> call(SyscallRequest.Builder request) {
      return stream.call(request);
    }

    @Override
    public void close() {
      stream.close();
    }
  }

  /** A ListenableFuture as a CompletableFuture. */
  static <T> CompletableFuture<T> cf(ListenableFuture<T> f) {
    CompletableFuture<T> out = new CompletableFuture<>();
    Futures.addCallback(f, new FutureCallback<T>() {
      @Override
      public void onSuccess(T v) {
        out.complete(v);
      }

      @Override
      public void onFailure(Throwable t) {
        out.completeExceptionally(t);
      }
    }, MoreExecutors.directExecutor());
    return out;
  }
}
