package dev.zxd.kernel;

/** The records zx_object_get_info returns, one type per topic. */
public interface InfoRecord {
  /** ZX_INFO_HANDLE_BASIC (zx_info_handle_basic_t, 32 bytes). */
  record HandleBasic(long koid, int rights, int type, long relatedKoid) implements InfoRecord {}

  /** ZX_INFO_HANDLE_COUNT (4 bytes). */
  record HandleCount(int handleCount) implements InfoRecord {}

  /** ZX_INFO_PROCESS_HANDLE_STATS (64 counters, 256 bytes). */
  record ProcessHandleStats(int[] handleCount) implements InfoRecord {}

  /** ZX_INFO_PROCESS (zx_info_process_t, 24 bytes). */
  record ProcessInfo(long returnCode, long startTime, int flags) implements InfoRecord {}

  /** ZX_INFO_VMO (zx_info_vmo_t): the fields a simple paged VMO has. */
  record VmoInfo(long koid, String name, long sizeBytes, int flags, long committedBytes, int handleRights,
      int shareCount) implements InfoRecord {}

  /** ZX_INFO_SOCKET (zx_info_socket_t, 48 bytes). tx_* are 0 once the peer is gone. */
  record SocketInfo(int options, long rxBufMax, long rxBufSize, long rxBufAvailable, long txBufMax,
      long txBufSize) implements InfoRecord {}
}
