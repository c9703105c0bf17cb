/**
 * The Java client library: a {@link dev.zxd.client.Zxd} connection, {@link dev.zxd.client.ZxProcess} sessions,
 * and typed handles ({@link dev.zxd.client.Channel}, {@link dev.zxd.client.Event}, ...) with one method per
 * syscall. Failed syscalls throw {@link dev.zxd.client.ZxException} carrying the Zircon status.
 */
package dev.zxd.client;
