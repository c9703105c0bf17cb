package dev.zxd.rpc;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.zxd.kernel.Status;
import dev.zxd.proto.v1.HandleRef;
import dev.zxd.proto.v1.SyscallReply;
import dev.zxd.proto.v1.SyscallRequest;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One Kernel/Invoke stream: dispatches requests in order, resolves pipelined handle references against the
 * outputs of earlier requests, and serializes replies (waits complete on other threads).
 */
final class InvokeStream implements StreamObserver<SyscallRequest> {
  static final int INBOUND_WINDOW = 32;
  private static final int REMEMBERED = 65_536;

  /** What became of a request, for later references to its outputs. */
  private static final class Outcome {
    boolean done;
    int status;
    int[] outputs = new int[0];
  }

  private final SyscallStreamService service;
  private final ServerCallStreamObserver<SyscallReply> out;
  private final Metadata headers;
  private final Map<Long, Outcome> outcomes = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, Outcome> eldest) {
      return size() > REMEMBERED;
    }
  }; // guarded by this
  private final Map<Long, ServerCall.Listener<Message>> pending = new LinkedHashMap<>(); // guarded by this
  private final Map<Long, SyscallStreamService.InlineCall> pendingCalls = new LinkedHashMap<>(); // guarded by this
  private int owed; // guarded by this: requests not yet asked for again because the client was not reading
  private boolean ended; // guarded by this
  private final StreamStallLimit.Watch stall;

  InvokeStream(SyscallStreamService service, ServerCallStreamObserver<SyscallReply> out, Metadata headers) {
    this.service = service;
    this.out = out;
    this.headers = headers == null ? new Metadata() : headers;
    this.stall = service.stallLimit().watch(out::isReady, this::endStalled);
  }

  /** A request waiting (in the daemon) for earlier requests on the stream to complete. */
  private static final class Parked {
    final SyscallRequest request;
    int remaining;

    Parked(SyscallRequest request, int remaining) {
      this.request = request;
      this.remaining = remaining;
    }
  }

  private static final int MAX_PARKED = 65_536;
  private final Map<Long, List<Parked>> parkedOn = new java.util.HashMap<>(); // guarded by this
  private int parkedCount; // guarded by this
  private final java.util.ArrayDeque<SyscallRequest> ready = new java.util.ArrayDeque<>(); // guarded by this
  private boolean draining; // guarded by this

  @Override
  public void onNext(SyscallRequest request) {
    synchronized (this) {
      if (ended) {
        return; // requests the transport still delivers after the stream was ended must not run unanswered
      }
    }
    admit(request);
    synchronized (this) {
      if (out.isReady()) {
        out.request(1);
      } else {
        owed++;
        stall.blocked();
      }
    }
  }

  void onReady() {
    stall.progressed();
    int n;
    synchronized (this) {
      if (ended) {
        return;
      }
      n = owed;
      owed = 0;
    }
    if (n > 0) {
      out.request(n);
    }
  }

  /** Runs a request now, or parks it until the requests it depends on (after, refs) have completed. */
  private void admit(SyscallRequest request) {
    long id = request.getId();
    String refusal = null;
    int refusalStatus = Status.OK;
    synchronized (this) {
      java.util.Set<Long> waitFor = new java.util.HashSet<>();
      for (long dep : request.getAfterList()) {
        Outcome o = outcomes.get(dep);
        if (o == null) {
          refusal = "after names request " + dep + ", unknown on this stream";
          refusalStatus = Status.ERR_INVALID_ARGS;
          break;
        }
        if (!o.done) {
          waitFor.add(dep);
        }
      }
      for (HandleRef ref : request.getRefsList()) {
        Outcome o = outcomes.get(ref.getId());
        if (o != null && !o.done) {
          waitFor.add(ref.getId());
        }
      }
      if (refusal == null && !waitFor.isEmpty()) {
        if (parkedCount >= MAX_PARKED) {
          refusal = "too many requests waiting for earlier ones on this stream";
          refusalStatus = Status.ERR_NO_RESOURCES;
        } else {
          Parked parked = new Parked(request, waitFor.size());
          for (long dep : waitFor) {
            parkedOn.computeIfAbsent(dep, k -> new ArrayList<>(2)).add(parked);
          }
          parkedCount++;
          outcomes.put(id, new Outcome()); // pending: later requests may depend on this one in turn
          return;
        }
      }
      if (refusal == null) {
        ready.addLast(request);
      }
    }
    if (refusal != null) {
      reject(id, refusalStatus, refusal);
    } else {
      drainReady();
    }
  }

  /** Request {@code id} is done (lock held): dependents with nothing left to wait for become ready. */
  private void releaseDependentsLocked(long id) {
    List<Parked> waiting = parkedOn.remove(id);
    if (waiting == null) {
      return;
    }
    for (Parked p : waiting) {
      if (--p.remaining == 0) {
        parkedCount--;
        ready.addLast(p.request);
      }
    }
  }

  /**
   * Runs the requests that are ready, in order, unless a drain is already going (whichever thread runs it
   * also runs what others make ready meanwhile, so order holds and the stack stays flat).
   */
  private void drainReady() {
    synchronized (this) {
      if (draining || ready.isEmpty()) {
        return;
      }
      draining = true;
    }
    while (true) {
      SyscallRequest next;
      synchronized (this) {
        next = ready.pollFirst();
        if (next == null) {
          draining = false;
          return;
        }
      }
      dispatch(next);
    }
  }

  private void dispatch(SyscallRequest request) {
    long id = request.getId();
    FieldDescriptor which = request.getOneofFieldDescriptor(SyscallRequest.getDescriptor().getOneofs().get(0));
    SyscallStreamService.Route route = which == null ? null : service.route(which.getNumber());
    if (route == null) {
      reject(id, Status.ERR_INVALID_ARGS, "the request names no syscall");
      return;
    }
    Message message = (Message) request.getField(which);
    if (request.getRefsCount() > 0) {
      String[] why = new String[1];
      message = resolve(message, request.getRefsList(), why);
      if (message == null) {
        reject(id, Status.ERR_BAD_HANDLE, why[0]);
        return;
      }
    }
    SyscallStreamService.InlineCall call = new SyscallStreamService.InlineCall(this, id, route);
    synchronized (this) {
      outcomes.putIfAbsent(id, new Outcome());
      pendingCalls.put(id, call);
    }
    ServerCall.Listener<Message> listener = route.method().getServerCallHandler().startCall(call, headers);
    synchronized (this) {
      if (pendingCalls.containsKey(id)) {
        pending.put(id, listener);
      }
    }
    listener.onMessage(message);
    listener.onHalfClose();
  }

  /** Replaces pipelined references in handle fields; null (with the reason) if one cannot be resolved. */
  private Message resolve(Message m, List<HandleRef> refs, String[] why) {
    Message.Builder b = m.toBuilder();
    for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
      FieldDescriptor f = e.getKey();
      if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        if (f.isRepeated()) {
          for (int i = 0; i < m.getRepeatedFieldCount(f); i++) {
            Message inner = resolve((Message) m.getRepeatedField(f, i), refs, why);
            if (inner == null) {
              return null;
            }
            b.setRepeatedField(f, i, inner);
          }
        } else {
          Message inner = resolve((Message) e.getValue(), refs, why);
          if (inner == null) {
            return null;
          }
          b.setField(f, inner);
        }
      } else if (f.getType() == FieldDescriptor.Type.UINT32 && Messages.INPUT_HANDLE_FIELDS.contains(f.getName())) {
        if (f.isRepeated()) {
          for (int i = 0; i < m.getRepeatedFieldCount(f); i++) {
            Integer v = lookup((Integer) m.getRepeatedField(f, i), refs, why);
            if (v == null) {
              return null;
            }
            b.setRepeatedField(f, i, v);
          }
        } else {
          Integer v = lookup((Integer) e.getValue(), refs, why);
          if (v == null) {
            return null;
          }
          b.setField(f, v);
        }
      }
    }
    return b.build();
  }

  private Integer lookup(int value, List<HandleRef> refs, String[] why) {
    if (value == 0 || (value & 3) != 0) {
      return value; // a real handle value (or ZX_HANDLE_INVALID)
    }
    int k = (value >>> 2) - 1;
    if (k >= refs.size()) {
      why[0] = "handle value 0x" + Integer.toHexString(value) + " refers to refs[" + k + "], which is missing";
      return null;
    }
    HandleRef ref = refs.get(k);
    Outcome o;
    synchronized (this) {
      o = outcomes.get(ref.getId());
    }
    if (o == null) {
      why[0] = "refs[" + k + "] names request " + ref.getId() + ", unknown on this stream";
    } else if (!o.done) {
      why[0] = "refs[" + k + "] names request " + ref.getId() + ", which has not completed";
    } else if (o.status != Status.OK) {
      why[0] = "refs[" + k + "] names request " + ref.getId() + ", which failed with " + Status.name(o.status);
    } else if (ref.getIndex() >= o.outputs.length) {
      why[0] = "refs[" + k + "] names output " + ref.getIndex() + " of request " + ref.getId() + ", which has "
          + o.outputs.length;
    } else {
      return o.outputs[ref.getIndex()];
    }
    return null;
  }

  void completed(long id, SyscallStreamService.Route route, Message reply) {
    int status = Messages.statusOf(reply);
    synchronized (this) {
      Outcome o = outcomes.get(id);
      if (o != null) {
        o.done = true;
        o.status = status;
        o.outputs = outputs(reply);
      }
      pending.remove(id);
      pendingCalls.remove(id);
      send(SyscallReply.newBuilder().setId(id).setStatusValue(status).setField(route.replyField(), reply).build());
      releaseDependentsLocked(id);
      finishIfDrained();
    }
    drainReady();
  }

  private void finishIfDrained() {
    if (finishWhenDrained && pendingCalls.isEmpty() && parkedCount == 0 && ready.isEmpty() && !ended) {
      ended = true;
      out.onCompleted();
    }
  }

  void failed(long id, io.grpc.Status grpcStatus) {
    synchronized (this) {
      Outcome o = outcomes.get(id);
      if (o != null) {
        o.done = true;
        o.status = Status.ERR_INTERNAL;
      }
      pending.remove(id);
      pendingCalls.remove(id);
      send(SyscallReply.newBuilder().setId(id).setStatusValue(Status.ERR_INTERNAL)
          .setError(grpcStatus.getCode() + ": " + grpcStatus.getDescription()).build());
      releaseDependentsLocked(id);
      finishIfDrained();
    }
    drainReady();
  }

  private void reject(long id, int status, String why) {
    synchronized (this) {
      Outcome o = new Outcome();
      o.done = true;
      o.status = status;
      outcomes.put(id, o);
      send(SyscallReply.newBuilder().setId(id).setStatusValue(status).setError(why).build());
      releaseDependentsLocked(id);
    }
    drainReady();
  }

  private void send(SyscallReply reply) {
    if (ended) {
      return;
    }
    try {
      out.onNext(reply);
      if (!out.isReady()) {
        stall.blocked();
      }
    } catch (IllegalStateException | io.grpc.StatusRuntimeException gone) {
      ended = true;
    }
  }

  private static int[] outputs(Message reply) {
    List<Integer> values = new ArrayList<>();
    for (String name : Messages.OUTPUT_HANDLE_FIELDS) {
      FieldDescriptor f = reply.getDescriptorForType().findFieldByName(name);
      if (f == null) {
        continue;
      }
      if (f.isRepeated()) {
        for (int i = 0; i < reply.getRepeatedFieldCount(f); i++) {
          Object v = reply.getRepeatedField(f, i);
          if (v instanceof Integer h) {
            values.add(h);
          } else if (v instanceof Message info) {
            values.add((Integer) info.getField(info.getDescriptorForType().findFieldByName("handle")));
          }
        }
      } else if (f.getType() == FieldDescriptor.Type.UINT32) {
        int h = (Integer) reply.getField(f);
        if (h != 0) {
          values.add(h);
        }
      }
    }
    int[] out = new int[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }

  /** The client has read nothing for the stall limit while replies waited: end the stream and its waits. */
  private void endStalled() {
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      try {
        out.onError(service.stallLimit().status("Kernel/Invoke").asRuntimeException());
      } catch (IllegalStateException gone) {
        // Closed at the same moment.
      }
    }
    onCancel();
  }

  void onCancel() {
    stall.close();
    List<ServerCall.Listener<Message>> waiting;
    synchronized (this) {
      ended = true;
      pendingCalls.values().forEach(c -> c.cancelled = true);
      waiting = new ArrayList<>(pending.values());
      pending.clear();
      pendingCalls.clear();
      parkedOn.clear();
      ready.clear();
    }
    // Waits still pending end with the stream (their observers are removed).
    waiting.forEach(ServerCall.Listener::onCancel);
  }

  @Override
  public void onError(Throwable t) {
    onCancel();
  }

  @Override
  public void onCompleted() {
    // The client sent its last request; replies to pending waits still go out as they complete, and the
    // stream ends once they have.
    synchronized (this) {
      if (pendingCalls.isEmpty() && parkedCount == 0) {
        ended = true;
        out.onCompleted();
        return;
      }
      finishWhenDrained = true;
    }
  }

  private boolean finishWhenDrained; // guarded by this
}
