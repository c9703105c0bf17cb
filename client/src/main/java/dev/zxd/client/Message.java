package dev.zxd.client;

import com.google.protobuf.ByteString;
import java.util.List;

/**
 * A channel message as received: its bytes and its handles, already installed in the reader's table (typed by
 * object type when read with {@link Channel#readEtc()}).
 */
public record Message(ByteString bytes, List<Handle> handles) {
  /** The handle at {@code index} as {@code type} (e.g. {@code Channel.class}). */
  public <T extends Handle> T handle(int index, Class<T> type) {
    return type.cast(handles.get(index));
  }
}
