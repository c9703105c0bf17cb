package dev.zxd.rpc;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.List;
import java.util.Set;

/** What the RPC layer knows about the shape of zxd.v1 messages, in one place. */
final class Messages {
  /**
   * Reply fields that carry handle values new to the caller's table, in the order the syscall stream numbers
   * a reply's outputs (see kernel.proto). The trace lists the same fields as "handles created".
   */
  static final List<String> OUTPUT_HANDLE_FIELDS = List.of(
      "out", "out0", "out1", "out_socket", "proc_handle", "arg1", "handles", "rd_handles");

  /** Request fields that carry handle values of the caller's (where pipelined references may stand). */
  static final Set<String> INPUT_HANDLE_FIELDS = Set.of(
      "handle", "handles", "arg1", "socket_to_share", "source", "port", "wr_handles");

  private Messages() {}

  /** The Zircon status every reply starts with (field 1); 0 for a message without one. */
  static int statusOf(Message reply) {
    FieldDescriptor f = reply.getDescriptorForType().findFieldByNumber(1);
    if (f == null || f.getType() != FieldDescriptor.Type.ENUM) {
      return 0;
    }
    return ((EnumValueDescriptor) reply.getField(f)).getNumber();
  }
}
