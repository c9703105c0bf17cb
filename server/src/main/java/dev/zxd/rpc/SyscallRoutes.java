package dev.zxd.rpc;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Message;
import dev.zxd.proto.v1.SyscallReply;
import dev.zxd.proto.v1.SyscallRequest;
import io.grpc.BindableService;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How the syscall stream runs each kind of request: straight into the service method its unary RPC uses, with
 * every reflective lookup (which method, which oneof accessors, which reply fields hold new handles) done once
 * here rather than per request.
 */
final class SyscallRoutes {
  private static final MethodHandles.Lookup LOOKUP = MethodHandles.publicLookup();
  private static final MethodType HANDLER = MethodType.methodType(void.class, Message.class, StreamObserver.class);
  private static final MethodType GETTER = MethodType.methodType(Message.class, SyscallRequest.class);
  private static final MethodType SETTER =
      MethodType.methodType(void.class, SyscallReply.Builder.class, Message.class);

  /** One syscall the stream can carry. */
  static final class Route {
    final int number;
    final String syscall;
    final boolean observer;
    final FieldDescriptor[] outputFields;
    private final MethodHandle requestGetter;
    private final MethodHandle replySetter;
    private final MethodHandle replyStatus;
    private final MethodHandle handler;
    /** The request's handle fields, if they are all plain singular uint32s (else null: resolve reflectively). */
    private final HandleField[] plainHandleFields;

    Route(int number, String syscall, boolean observer, FieldDescriptor[] outputFields, MethodHandle requestGetter,
        MethodHandle replySetter, MethodHandle replyStatus, MethodHandle handler, HandleField[] plainHandleFields) {
      this.number = number;
      this.syscall = syscall;
      this.observer = observer;
      this.outputFields = outputFields;
      this.requestGetter = requestGetter;
      this.replySetter = replySetter;
      this.replyStatus = replyStatus;
      this.handler = handler;
      this.plainHandleFields = plainHandleFields;
    }

    /** The Zircon status the reply starts with. */
    int status(Message reply) {
      try {
        return (int) replyStatus.invokeExact(reply);
      } catch (Throwable t) {
        throw rethrow(t);
      }
    }

    /** The request with its pipelined references replaced (null, and why, if one cannot be resolved). */
    Message resolveRefs(Message request, List<dev.zxd.proto.v1.HandleRef> refs,
        java.util.function.LongFunction<InvokeStream.Outcome> outcomes, String[] why) {
      if (plainHandleFields == null) {
        return PipelinedRefs.resolve(request, refs, outcomes, why);
      }
      try {
        Message.Builder b = null;
        for (HandleField f : plainHandleFields) {
          int value = (int) f.getter.invokeExact(request);
          if (!PipelinedRefs.isReference(value)) {
            continue;
          }
          Integer resolved = PipelinedRefs.lookup(value, refs, outcomes, why);
          if (resolved == null) {
            return null;
          }
          if (b == null) {
            b = request.toBuilder();
          }
          f.setter.invokeExact(b, (int) resolved);
        }
        return b == null ? request : b.build();
      } catch (Throwable t) {
        throw rethrow(t);
      }
    }

    Message request(SyscallRequest r) {
      try {
        return (Message) requestGetter.invokeExact(r);
      } catch (Throwable t) {
        throw rethrow(t);
      }
    }

    /** Runs the service method; its reply (now or later) goes to {@code out}. */
    void run(Message request, StreamObserver<Message> out) {
      try {
        handler.invokeExact(request, (StreamObserver) out);
      } catch (Throwable t) {
        throw rethrow(t);
      }
    }

    void setReply(SyscallReply.Builder b, Message reply) {
      try {
        replySetter.invokeExact(b, reply);
      } catch (Throwable t) {
        throw rethrow(t);
      }
    }

    /** The handle values the reply made, in the order pipelined references count them. */
    int[] outputs(Message reply) {
      if (outputFields.length == 0) {
        return EMPTY;
      }
      int[] values = new int[4];
      int n = 0;
      for (FieldDescriptor f : outputFields) {
        if (f.isRepeated()) {
          int count = reply.getRepeatedFieldCount(f);
          for (int i = 0; i < count; i++) {
            Object v = reply.getRepeatedField(f, i);
            int h = v instanceof Integer i32 ? i32
                : (Integer) ((Message) v).getField(((Message) v).getDescriptorForType().findFieldByName("handle"));
            if (n == values.length) {
              values = java.util.Arrays.copyOf(values, n * 2);
            }
            values[n++] = h;
          }
        } else {
          int h = (Integer) reply.getField(f);
          if (h != 0) {
            if (n == values.length) {
              values = java.util.Arrays.copyOf(values, n * 2);
            }
            values[n++] = h;
          }
        }
      }
      return java.util.Arrays.copyOf(values, n);
    }
  }

  static final int[] EMPTY = new int[0];

  /** A singular uint32 handle field of a request: read from the message, written on its builder. */
  record HandleField(MethodHandle getter, MethodHandle setter) {}

  private final Route[] byNumber;

  /** {@code services}: the (unintercepted) service objects the unary RPCs are served by. */
  SyscallRoutes(List<BindableService> services) {
    Map<String, Object[]> bySnake = new HashMap<>(); // snake name -> {service, method name, syscall name}
    for (BindableService s : services) {
      ServerServiceDefinition def = s.bindService();
      for (ServerMethodDefinition<?, ?> m : def.getMethods()) {
        String full = m.getMethodDescriptor().getFullMethodName();
        String syscall = SyscallInstrumentation.syscallName(full);
        String methodName = full.substring(full.indexOf('/') + 1);
        bySnake.put(snake(syscall.replace("/", "")), new Object[] {s, methodName, syscall});
      }
    }
    OneofDescriptor oneof = SyscallRequest.getDescriptor().getOneofs().get(0);
    int max = 0;
    for (FieldDescriptor f : oneof.getFields()) {
      max = Math.max(max, f.getNumber());
    }
    byNumber = new Route[max + 1];
    for (FieldDescriptor f : oneof.getFields()) {
      Object[] target = bySnake.get(f.getName());
      if (target == null) {
        throw new IllegalStateException("SyscallRequest." + f.getName() + " has no service method");
      }
      byNumber[f.getNumber()] = route(f, target[0], (String) target[1], (String) target[2]);
    }
  }

  Route route(int fieldNumber) {
    return fieldNumber > 0 && fieldNumber < byNumber.length ? byNumber[fieldNumber] : null;
  }

  private static Route route(FieldDescriptor f, Object service, String methodName, String syscall) {
    String camel = camel(f.getName());
    try {
      Method getter = SyscallRequest.class.getMethod("get" + camel);
      Class<?> requestType = getter.getReturnType();
      Class<?> replyType = SyscallReply.class.getMethod("get" + camel).getReturnType();
      Method setter = SyscallReply.Builder.class.getMethod("set" + camel, replyType);
      String javaName = Character.toLowerCase(methodName.charAt(0)) + methodName.substring(1);
      Method impl = service.getClass().getMethod(javaName, requestType, StreamObserver.class);
      FieldDescriptor replyField = SyscallReply.getDescriptor().findFieldByName(f.getName());
      List<FieldDescriptor> outputs = new ArrayList<>();
      for (String name : Messages.OUTPUT_HANDLE_FIELDS) {
        FieldDescriptor o = replyField.getMessageType().findFieldByName(name);
        if (o != null && (o.isRepeated() || o.getType() == FieldDescriptor.Type.UINT32)) {
          outputs.add(o);
        }
      }
      Method status = replyType.getMethod("getStatusValue");
      return new Route(f.getNumber(), syscall, SyscallInstrumentation.isObserver(syscall),
          outputs.toArray(new FieldDescriptor[0]),
          LOOKUP.unreflect(getter).asType(GETTER),
          LOOKUP.unreflect(setter).asType(SETTER),
          LOOKUP.unreflect(status).asType(MethodType.methodType(int.class, Message.class)),
          LOOKUP.unreflect(impl).bindTo(service).asType(HANDLER),
          plainHandleFields(requestType, f.getMessageType()));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot route SyscallRequest." + f.getName(), e);
    }
  }

  /**
   * Accessors for the request's handle fields when every one is a singular uint32 at the top level (the common
   * shape: handle, arg1, port, ...); null when any is repeated or nested, which the reflective path handles.
   */
  private static HandleField[] plainHandleFields(Class<?> requestType, com.google.protobuf.Descriptors.Descriptor d)
      throws ReflectiveOperationException {
    List<HandleField> fields = new ArrayList<>();
    for (FieldDescriptor f : d.getFields()) {
      if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        return null;
      }
      if (!Messages.INPUT_HANDLE_FIELDS.contains(f.getName())) {
        continue;
      }
      if (f.isRepeated() || f.getType() != FieldDescriptor.Type.UINT32) {
        return null;
      }
      String camel = camel(f.getName());
      Class<?> builderType = requestType.getMethod("toBuilder").getReturnType();
      fields.add(new HandleField(
          LOOKUP.unreflect(requestType.getMethod("get" + camel)).asType(MethodType.methodType(int.class, Message.class)),
          LOOKUP.unreflect(builderType.getMethod("set" + camel, int.class))
              .asType(MethodType.methodType(void.class, Message.Builder.class, int.class))));
    }
    return fields.toArray(new HandleField[0]);
  }

  /** "ChannelWriteEtc" -> "channel_write_etc". */
  static String snake(String camel) {
    return camel.replaceAll("(?<!^)(?=[A-Z])", "_").toLowerCase();
  }

  /** "channel_write_etc" -> "ChannelWriteEtc". */
  private static String camel(String snake) {
    StringBuilder b = new StringBuilder();
    for (String part : snake.split("_")) {
      b.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
    }
    return b.toString();
  }

  private static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw new IllegalStateException(t);
  }
}
