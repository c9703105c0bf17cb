package dev.zxd.client;

import dev.zxd.proto.v1.Status;
import java.util.List;

/** A failed zx_channel_write_etc, with the result of every entry (Zircon writes them back on failure). */
public final class WriteEtcException extends ZxException {
  private final List<Status> results;

  WriteEtcException(Status status, List<Status> results) {
    super(status, "zx_channel_write_etc");
    this.results = List.copyOf(results);
  }

  /** Each entry's result, in the order given; empty when the call failed before looking at the entries. */
  public List<Status> results() {
    return results;
  }
}
