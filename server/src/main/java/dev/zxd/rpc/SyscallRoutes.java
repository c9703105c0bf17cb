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
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.ObjIntConsumer;
import java.util.function.ToIntFunction;

/**
 * How the syscall stream runs each kind of request: straight into the service method its unary RPC uses, with
 * every reflective lookup (which method, which oneof accessors, which reply fields hold new handles) done once
 * here rather than per request. The accessors are spun into plain classes (LambdaMetafactory), so a call costs
 * an interface call: a method handle held in a field is not a constant the JIT can inline, and invoking one per
 * request was a tenth of the daemon's time in a batch.
 */
final class SyscallRoutes {
  private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();

  /** Runs a service method: (request, reply observer). */
  @FunctionalInterface
  interface Handler {
    void run(Message request, StreamObserver<Message> out);
  }

  /** One syscall the stream can carry. */
  static final class Route {
    final int number;
    final String syscall;
    final boolean observer;
    private final Function<SyscallRequest, Message> requestGetter;
    private final BiConsumer<SyscallReply.Builder, Message> replySetter;
    private final ToIntFunction<Message> replyStatus;
    private final Handler handler;
    /** Singular uint32 output fields (non-zero values count), or null when one is repeated (reflective path). */
    private final ToIntFunction<Message>[] plainOutputs;
    private final FieldDescriptor[] outputFields;
    /** The request's handle fields, if they are all plain singular uint32s (else null: resolve reflectively). */
    private final HandleField[] plainHandleFields;

    Route(int number, String syscall, boolean observer, FieldDescriptor[] outputFields,
        ToIntFunction<Message>[] plainOutputs, Function<SyscallRequest, Message> requestGetter,
        BiConsumer<SyscallReply.Builder, Message> replySetter, ToIntFunction<Message> replyStatus, Handler handler,
        HandleField[] plainHandleFields) {
      this.number = number;
      this.syscall = syscall;
      this.observer = observer;
      this.outputFields = outputFields;
      this.plainOutputs = plainOutputs;
      this.requestGetter = requestGetter;
      this.replySetter = replySetter;
      this.replyStatus = replyStatus;
      this.handler = handler;
      this.plainHandleFields = plainHandleFields;
    }

    /** The Zircon status the reply starts with. */
    int status(Message reply) {
      return replyStatus.applyAsInt(reply);
    }

    /** The request with its pipelined references replaced (null, and why, if one cannot be resolved). */
    Message resolveRefs(Message request, List<dev.zxd.proto.v1.HandleRef> refs,
        PipelinedRefs.OutputLookup outputs, String[] why) {
      if (plainHandleFields == null) {
        return PipelinedRefs.resolve(request, refs, outputs, why);
      }
      Message.Builder b = null;
      for (HandleField f : plainHandleFields) {
        int value = f.getter.applyAsInt(request);
        if (!PipelinedRefs.isReference(value)) {
          continue;
        }
        Integer resolved = PipelinedRefs.lookup(value, refs, outputs, why);
        if (resolved == null) {
          return null;
        }
        if (b == null) {
          b = request.toBuilder();
        }
        f.setter.accept(b, resolved);
      }
      return b == null ? request : b.build();
    }

    Message request(SyscallRequest r) {
      return requestGetter.apply(r);
    }

    /** Runs the service method; its reply (now or later) goes to {@code out}. */
    void run(Message request, StreamObserver<Message> out) {
      handler.run(request, out);
    }

    void setReply(SyscallReply.Builder b, Message reply) {
      replySetter.accept(b, reply);
    }

    /** The handle values the reply made, in the order pipelined references count them. */
    int[] outputs(Message reply) {
      if (outputFields.length == 0) {
        return EMPTY;
      }
      if (plainOutputs != null) {
        int[] values = new int[plainOutputs.length];
        int n = 0;
        for (ToIntFunction<Message> f : plainOutputs) {
          int h = f.applyAsInt(reply);
          if (h != 0) {
            values[n++] = h;
          }
        }
        return n == values.length ? values : java.util.Arrays.copyOf(values, n);
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
  record HandleField(ToIntFunction<Message> getter, ObjIntConsumer<Message.Builder> setter) {}

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

  /** The highest field number a route has (routes are numbered by their SyscallRequest oneof field). */
  int highestNumber() {
    return byNumber.length - 1;
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
      boolean allPlain = true;
      for (String name : Messages.OUTPUT_HANDLE_FIELDS) {
        FieldDescriptor o = replyField.getMessageType().findFieldByName(name);
        if (o != null && (o.isRepeated() || o.getType() == FieldDescriptor.Type.UINT32)) {
          outputs.add(o);
          allPlain &= !o.isRepeated();
        }
      }
      @SuppressWarnings("unchecked")
      ToIntFunction<Message>[] plainOutputs = allPlain ? new ToIntFunction[outputs.size()] : null;
      for (int i = 0; allPlain && i < outputs.size(); i++) {
        plainOutputs[i] = intGetter(replyType, outputs.get(i));
      }
      Method status = replyType.getMethod("getStatusValue");
      Handler handler = (Handler) LambdaMetafactory.metafactory(LOOKUP, "run",
          MethodType.methodType(Handler.class, service.getClass()),
          MethodType.methodType(void.class, Message.class, StreamObserver.class),
          LOOKUP.unreflect(impl), MethodType.methodType(void.class, requestType, StreamObserver.class))
          .getTarget().invoke(service);
      return new Route(f.getNumber(), syscall, SyscallInstrumentation.isObserver(syscall),
          outputs.toArray(new FieldDescriptor[0]), plainOutputs,
          spin(Function.class, "apply", getter, MethodType.methodType(Object.class, Object.class)),
          spin(BiConsumer.class, "accept", setter, MethodType.methodType(void.class, Object.class, Object.class)),
          spin(ToIntFunction.class, "applyAsInt", status, MethodType.methodType(int.class, Object.class)),
          handler,
          plainHandleFields(requestType, f.getMessageType()));
    } catch (Throwable e) {
      throw new IllegalStateException("cannot route SyscallRequest." + f.getName(), e);
    }
  }

  /** An instance of functional interface {@code type} whose method {@code name} calls {@code target}. */
  @SuppressWarnings("unchecked")
  private static <T> T spin(Class<? super T> type, String name, Method target, MethodType erased) throws Throwable {
    MethodHandle impl = LOOKUP.unreflect(target);
    MethodType instantiated = impl.type();
    if (erased.returnType() == void.class) {
      instantiated = instantiated.changeReturnType(void.class); // a builder setter's return value is dropped
    }
    return (T) LambdaMetafactory.metafactory(LOOKUP, name, MethodType.methodType(type), erased, impl, instantiated)
        .getTarget().invoke();
  }

  /** The getter of singular uint32 field {@code f} of message class {@code type}, as a ToIntFunction. */
  private static ToIntFunction<Message> intGetter(Class<?> type, FieldDescriptor f) throws Throwable {
    return spin(ToIntFunction.class, "applyAsInt", type.getMethod("get" + camel(f.getName())),
        MethodType.methodType(int.class, Object.class));
  }

  /**
   * Accessors for the request's handle fields when every one is a singular uint32 at the top level (the common
   * shape: handle, arg1, port, ...); null when any is repeated or nested, which the reflective path handles.
   */
  private static HandleField[] plainHandleFields(Class<?> requestType, com.google.protobuf.Descriptors.Descriptor d)
      throws Throwable {
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
      Class<?> builderType = requestType.getMethod("toBuilder").getReturnType();
      fields.add(new HandleField(intGetter(requestType, f),
          spin(ObjIntConsumer.class, "accept", builderType.getMethod("set" + camel(f.getName()), int.class),
              MethodType.methodType(void.class, Object.class, int.class))));
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

}
