package dev.zxd.client;

import dev.zxd.proto.v1.HandleDisposition;
import dev.zxd.proto.v1.HandleOp;
import dev.zxd.proto.v1.ObjType;
import dev.zxd.proto.v1.Right;

/**
 * One handle of a {@link Channel#writeEtc} message: MOVE (the handle leaves this process, always) or DUPLICATE
 * (a copy is sent, the original stays), optionally with fewer rights and a type check.
 */
public final class Disposition {
  final Handle handle;
  final int operation;
  final int type;
  final int rights;

  private Disposition(Handle handle, int operation, int type, int rights) {
    this.handle = handle;
    this.operation = operation;
    this.type = type;
    this.rights = rights;
  }

  public static Disposition move(Handle handle) {
    return new Disposition(handle, HandleOp.ZX_HANDLE_OP_MOVE_VALUE, ObjType.ZX_OBJ_TYPE_NONE_VALUE,
        Right.ZX_RIGHT_SAME_RIGHTS_VALUE);
  }

  public static Disposition duplicate(Handle handle) {
    return new Disposition(handle, HandleOp.ZX_HANDLE_OP_DUPLICATE_VALUE, ObjType.ZX_OBJ_TYPE_NONE_VALUE,
        Right.ZX_RIGHT_SAME_RIGHTS_VALUE);
  }

  /** The receiver gets exactly these rights (a subset of the handle's). */
  public Disposition withRights(int newRights) {
    return new Disposition(handle, operation, type, newRights);
  }

  /** Fails the entry with WRONG_TYPE unless the object is of {@code objType} (ZX_OBJ_TYPE_*). */
  public Disposition expectingType(int objType) {
    return new Disposition(handle, operation, objType, rights);
  }

  HandleDisposition toProto() {
    return HandleDisposition.newBuilder().setOperation(operation).setHandle(handle.value()).setType(type)
        .setRights(rights).build();
  }
}
