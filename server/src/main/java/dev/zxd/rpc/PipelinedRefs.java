package dev.zxd.rpc;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.zxd.proto.v1.HandleRef;
import java.util.List;
import java.util.Map;

/**
 * Pipelined handle references: in a request's handle fields, the value (k + 1) << 2 stands for refs[k], an
 * output of an earlier request on the same stream. Real handle values have their low two bits set, so the two
 * can never be confused.
 */
final class PipelinedRefs {
  private PipelinedRefs() {}

  /** The request with every reference replaced; null (and the reason in why[0]) if one cannot be resolved. */
  static Message resolve(Message m, List<HandleRef> refs, OutputLookup outputs,
      String[] why) {
    Message.Builder b = m.toBuilder();
    for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
      FieldDescriptor f = e.getKey();
      if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        if (f.isRepeated()) {
          for (int i = 0; i < m.getRepeatedFieldCount(f); i++) {
            Message inner = resolve((Message) m.getRepeatedField(f, i), refs, outputs, why);
            if (inner == null) {
              return null;
            }
            b.setRepeatedField(f, i, inner);
          }
        } else {
          Message inner = resolve((Message) e.getValue(), refs, outputs, why);
          if (inner == null) {
            return null;
          }
          b.setField(f, inner);
        }
      } else if (f.getType() == FieldDescriptor.Type.UINT32 && Messages.INPUT_HANDLE_FIELDS.contains(f.getName())) {
        if (f.isRepeated()) {
          for (int i = 0; i < m.getRepeatedFieldCount(f); i++) {
            Integer v = lookup((Integer) m.getRepeatedField(f, i), refs, outputs, why);
            if (v == null) {
              return null;
            }
            b.setRepeatedField(f, i, v);
          }
        } else {
          Integer v = lookup((Integer) e.getValue(), refs, outputs, why);
          if (v == null) {
            return null;
          }
          b.setField(f, v);
        }
      }
    }
    return b.build();
  }

  /** Whether a handle field's value stands for a reference (real values have their low two bits set). */
  static boolean isReference(int value) {
    return value != 0 && (value & 3) == 0;
  }

  static Integer lookup(int value, List<HandleRef> refs, OutputLookup outputs,
      String[] why) {
    if (!isReference(value)) {
      return value; // a real handle value (or ZX_HANDLE_INVALID)
    }
    int k = (value >>> 2) - 1;
    if (k >= refs.size()) {
      why[0] = "handle value 0x" + Integer.toHexString(value) + " refers to refs[" + k + "], which is missing";
      return null;
    }
    HandleRef ref = refs.get(k);
    int handle = outputs.output(ref.getId(), ref.getIndex(), k, why);
    return handle == 0 ? null : handle;
  }

  /** Output {@code index} of earlier request {@code id}: a handle value, or 0 with the reason in why[0]. */
  @FunctionalInterface
  interface OutputLookup {
    int output(long id, int index, int k, String[] why);
  }
}
