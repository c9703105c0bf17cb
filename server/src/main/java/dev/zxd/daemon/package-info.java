/**
 * The daemon: command line and configuration, the listeners (TCP, Unix domain socket, in-process) that carry
 * the gRPC services, and lifecycle.
 */
package dev.zxd.daemon;
