/**
 * The gRPC layer: one service per syscall family, mapping requests to kernel syscalls and results to replies,
 * and the session interceptor that turns a {@code zx-session} token into the calling process. Nothing here
 * decides kernel semantics.
 */
package dev.zxd.rpc;
