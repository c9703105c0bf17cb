package dev.zxd.benchmarks;

import dev.zxd.daemon.ListenAddress;
import dev.zxd.daemon.ZxdServer;
import dev.zxd.proto.v1.EventCreateRequest;
import dev.zxd.proto.v1.EventGrpc;
import dev.zxd.proto.v1.HandleCloseRequest;
import dev.zxd.proto.v1.HandleDuplicateRequest;
import dev.zxd.proto.v1.HandleRef;
import dev.zxd.proto.v1.KernelGrpc;
import dev.zxd.proto.v1.ProcessCreateReply;
import dev.zxd.proto.v1.ProcessCreateRequest;
import dev.zxd.proto.v1.ProcessGrpc;
import dev.zxd.proto.v1.Status;
import dev.zxd.proto.v1.SyscallBatch;
import dev.zxd.proto.v1.SyscallReply;
import dev.zxd.proto.v1.SyscallReplyBatch;
import dev.zxd.proto.v1.SyscallRequest;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The daemon's own cost per syscall on Kernel/InvokeBatch, with no network: an in-process transport on direct
 * executors, so a batch is parsed, run and answered on the calling thread. Each operation is one syscall of a
 * 256-syscall batch (pairs of duplicate + close-by-reference), request message building and reply checking
 * included. 1 / this time is what one core of daemon sustains, before any transport. With {@code quiet}, every
 * request but the batch's last asks for no reply on success (zxctl bench batch --quiet).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
public class SyscallBatchBenchmark {
  private static final int PAIRS = 128;
  @Param({"false", "true"})
  public boolean quiet;
  private ZxdServer server;
  private ManagedChannel channel;
  private StreamObserver<SyscallBatch> requests;
  private int event;
  private long nextId = 1;
  private int replies;
  private int failures;

  @Setup(Level.Trial)
  public void setup() throws Exception {
    String name = "zxd-jmh-" + System.nanoTime();
    server = ZxdServer.builder().listen(new ListenAddress.InProcess(name)).start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    ProcessCreateReply p = ProcessGrpc.newBlockingStub(channel)
        .create(ProcessCreateRequest.newBuilder().setName("jmh").build());
    Metadata md = new Metadata();
    md.put(Metadata.Key.of("zx-session", Metadata.ASCII_STRING_MARSHALLER), p.getSessionToken());
    Channel session = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(md));
    event = EventGrpc.newBlockingStub(session).create(EventCreateRequest.getDefaultInstance()).getOut();
    requests = KernelGrpc.newStub(session).invokeBatch(new StreamObserver<>() {
      @Override
      public void onNext(SyscallReplyBatch b) {
        for (SyscallReply r : b.getRepliesList()) {
          if (r.getStatus() != Status.ZX_OK) {
            failures++;
          }
        }
        replies += b.getRepliesCount();
      }

      @Override
      public void onError(Throwable t) {
        failures++;
      }

      @Override
      public void onCompleted() {}
    });
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    requests.onCompleted();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
    if (failures > 0) {
      throw new IllegalStateException(failures + " syscalls failed");
    }
  }

  @Benchmark
  @OperationsPerInvocation(2 * PAIRS)
  public int batchOf256() {
    SyscallBatch.Builder b = SyscallBatch.newBuilder();
    for (int i = 0; i < PAIRS; i++) {
      long dup = nextId++;
      b.addRequests(SyscallRequest.newBuilder().setId(dup).setQuiet(quiet).setHandleDuplicate(
          HandleDuplicateRequest.newBuilder().setHandle(event).setRights(0x8000_0000)));
      b.addRequests(SyscallRequest.newBuilder().setId(nextId++).setQuiet(quiet && i < PAIRS - 1)
          .addRefs(HandleRef.newBuilder().setId(dup).setIndex(0))
          .setHandleClose(HandleCloseRequest.newBuilder().setHandle(1 << 2)));
    }
    int before = replies;
    requests.onNext(b.build());
    if (replies - before != (quiet ? 1 : 2 * PAIRS)) {
      throw new IllegalStateException("the batch was not answered inline: " + (replies - before) + " replies");
    }
    return replies;
  }
}
