package dev.zxd.client;

import com.google.protobuf.ByteString;
import dev.zxd.proto.v1.InfoTopic;
import dev.zxd.proto.v1.InfoVmo;
import dev.zxd.proto.v1.ObjectGetInfoReply;
import dev.zxd.proto.v1.ObjectGetInfoRequest;
import dev.zxd.proto.v1.VmoGetSizeReply;
import dev.zxd.proto.v1.VmoGetSizeRequest;
import dev.zxd.proto.v1.VmoReadReply;
import dev.zxd.proto.v1.VmoReadRequest;
import dev.zxd.proto.v1.VmoSetSizeRequest;
import dev.zxd.proto.v1.VmoWriteRequest;

/** A VMO: bytes shared by every process holding a handle to it. */
public final class Vmo extends Handle {
  Vmo(ZxProcess process, int value) {
    super(process, value);
  }

  @Override
  protected Handle rewrap(int newValue) {
    return new Vmo(process, newValue);
  }

  /** zx_vmo_read. */
  public ByteString read(long offset, long length) {
    VmoReadReply r = process.stubs().vmo.read(VmoReadRequest.newBuilder().setHandle(value())
        .setOffset(offset).setBufferSize(length).build());
    ZxException.check(r.getStatus(), "zx_vmo_read");
    return r.getBuffer();
  }

  /** zx_vmo_write. */
  public void write(long offset, ByteString data) {
    ZxException.check(process.stubs().vmo.write(VmoWriteRequest.newBuilder().setHandle(value())
        .setOffset(offset).setBuffer(data).build()).getStatus(), "zx_vmo_write");
  }

  public void write(long offset, byte[] data) {
    write(offset, ByteString.copyFrom(data));
  }

  /** zx_vmo_get_size. */
  public long size() {
    VmoGetSizeReply r = process.stubs().vmo.getSize(VmoGetSizeRequest.newBuilder().setHandle(value()).build());
    ZxException.check(r.getStatus(), "zx_vmo_get_size");
    return r.getSize();
  }

  /** zx_vmo_set_size (VMOs made with ZX_VMO_RESIZABLE). */
  public void setSize(long size) {
    ZxException.check(process.stubs().vmo.setSize(VmoSetSizeRequest.newBuilder().setHandle(value())
        .setSize(size).build()).getStatus(), "zx_vmo_set_size");
  }

  /** ZX_INFO_VMO. */
  public InfoVmo info() {
    ObjectGetInfoReply r = process.stubs().object.getInfo(ObjectGetInfoRequest.newBuilder().setHandle(value())
        .setTopic(InfoTopic.ZX_INFO_VMO_VALUE).setBufferSize(120).build());
    ZxException.check(r.getStatus(), "zx_object_get_info");
    return r.getVmo();
  }
}
