package dev.zxd.rpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.zxd.proto.v1.TraceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One traced syscall. Small requests and replies are kept as they are and formatted on the trace thread; large
 * ones (a 64 KiB write) are summarized at once, so the ring never pins big payloads.
 */
final class TraceRecord implements SyscallTrace.Entry {
  private static final int KEEP_BELOW_BYTES = 512;

  /** Request fields whose handles leave the caller's table, by syscall. */
  private static final Map<String, String> CONSUMED_FIELDS = Map.of(
      "Handle/Close", "handle", "Handle/CloseMany", "handles", "Handle/Replace", "handle",
      "Channel/Write", "handles", "Channel/WriteEtc", "handles", "Channel/Call", "args.wr_handles",
      "Socket/Share", "socket_to_share", "Process/Start", "arg1");

  private final long sequence;
  private final long time;
  private final long processId;
  private final String syscall;
  private final int status;
  private final Message request; // null when summarized at once
  private final Message reply;
  private TraceEvent.Builder summarized;

  TraceRecord(long sequence, long time, long processId, String syscall, Message request, Message reply,
      int status) {
    this.sequence = sequence;
    this.time = time;
    this.processId = processId;
    this.syscall = syscall;
    this.status = status;
    boolean small = (request == null || request.getSerializedSize() < KEEP_BELOW_BYTES)
        && (reply == null || reply.getSerializedSize() < KEEP_BELOW_BYTES);
    if (small) {
      this.request = request;
      this.reply = reply;
    } else {
      this.request = null;
      this.reply = null;
      this.summarized = describe(request, reply);
    }
  }

  @Override
  public long sequence() {
    return sequence;
  }

  @Override
  public long processId() {
    return processId;
  }

  @Override
  public TraceEvent toEvent(long droppedBefore) {
    TraceEvent.Builder b = summarized != null ? summarized.clone() : describe(request, reply);
    return b.setSequence(sequence).setTime(time).setProcessId(processId).setSyscall(syscall)
        .setStatusValue(status).setDroppedBefore(droppedBefore).build();
  }

  private TraceEvent.Builder describe(Message req, Message rep) {
    TraceEvent.Builder b = TraceEvent.newBuilder();
    if (req != null) {
      b.setArguments(compact(req));
      String consumed = CONSUMED_FIELDS.get(syscall);
      if (consumed != null && consumes(req)) {
        collectHandles(req, consumed, b, false);
      }
    }
    if (rep != null && status == dev.zxd.kernel.Status.OK) {
      for (FieldDescriptor f : rep.getDescriptorForType().getFields()) {
        if (Messages.OUTPUT_HANDLE_FIELDS.contains(f.getName())) {
          collectHandles(rep, f.getName(), b, true);
        }
      }
    }
    return b;
  }

  /** Close and Replace consume only a handle that exists; the writes consume theirs whatever happens. */
  private boolean consumes(Message req) {
    if (syscall.startsWith("Handle/")) {
      return status != dev.zxd.kernel.Status.ERR_BAD_HANDLE || syscall.equals("Handle/CloseMany");
    }
    return true;
  }

  private static void collectHandles(Message m, String path, TraceEvent.Builder b, boolean created) {
    int dot = path.indexOf('.');
    String head = dot < 0 ? path : path.substring(0, dot);
    FieldDescriptor f = m.getDescriptorForType().findFieldByName(head);
    if (f == null) {
      return;
    }
    List<Object> values = new ArrayList<>();
    if (f.isRepeated()) {
      for (int i = 0; i < m.getRepeatedFieldCount(f); i++) {
        values.add(m.getRepeatedField(f, i));
      }
    } else {
      values.add(m.getField(f));
    }
    for (Object v : values) {
      if (dot >= 0 && v instanceof Message inner) {
        collectHandles(inner, path.substring(dot + 1), b, created);
      } else if (v instanceof Integer h) {
        add(b, h, created);
      } else if (v instanceof Message inner) {
        // HandleInfo / HandleDisposition: the `handle` field, except DUPLICATE entries (not consumed).
        FieldDescriptor hf = inner.getDescriptorForType().findFieldByName("handle");
        FieldDescriptor op = inner.getDescriptorForType().findFieldByName("operation");
        if (hf != null && (op == null || created || (Integer) inner.getField(op) != 1)) {
          add(b, (Integer) inner.getField(hf), created);
        }
      }
    }
  }

  private static void add(TraceEvent.Builder b, int handle, boolean created) {
    if (handle == 0) {
      return;
    }
    if (created) {
      b.addHandlesCreated(handle);
    } else {
      b.addHandlesConsumed(handle);
    }
  }

  /** The request's set fields as {@code name=value}, handles in hex, bytes by length, nested in braces. */
  static String compact(Message m) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      FieldDescriptor f = e.getKey();
      sb.append(f.getName()).append('=');
      if (f.isRepeated()) {
        sb.append('[');
        List<?> list = (List<?>) e.getValue();
        for (int i = 0; i < list.size(); i++) {
          if (i > 0) {
            sb.append(',');
          }
          value(sb, f, list.get(i));
        }
        sb.append(']');
      } else {
        value(sb, f, e.getValue());
      }
    }
    return sb.toString();
  }

  private static void value(StringBuilder sb, FieldDescriptor f, Object v) {
    if (v instanceof ByteString bytes) {
      sb.append('<').append(bytes.size()).append(" bytes>");
    } else if (v instanceof Message inner) {
      sb.append('{').append(compact(inner)).append('}');
    } else if (v instanceof EnumValueDescriptor ev) {
      sb.append(ev.getName());
    } else if (v instanceof Integer i && f.getType() == FieldDescriptor.Type.UINT32) {
      sb.append("0x").append(Integer.toHexString(i));
    } else if (v instanceof String s && f.getName().contains("token")) {
      sb.append("<secret>");
    } else {
      sb.append(v);
    }
  }
}
