/**
 * The kernel: kernel objects, handles and rights, processes, signals and waits, and the syscalls over them.
 * Knows nothing of gRPC or protobuf; every syscall takes the calling {@link dev.zxd.kernel.Process} and returns
 * a status value.
 */
package dev.zxd.kernel;
