package dev.zxd.kernel;

import com.google.protobuf.ByteString;

/**
 * zx_socket_create / write / read / shutdown / share / accept, and the WSADuplicateSocket pair
 * DuplicateForProcess / CreateFromProtocolInfo.
 */
public final class SocketSyscalls {
  /** Read/write option: the control plane (2018). */
  public static final int CONTROL = 4;
  /** Read option: copy without consuming (current Fuchsia). */
  public static final int PEEK = 8;
  public static final int SHUTDOWN_WRITE = 1;
  public static final int SHUTDOWN_READ = 2;

  public record WriteResult(int status, int actual) {}

  public record ReadResult(int status, ByteString bytes) {
    public int actual() {
      return bytes.size();
    }
  }

  public record TokenResult(int status, ProtocolInfoTokens.Issued info) {}

  private final Kernel kernel;

  SocketSyscalls(Kernel kernel) {
    this.kernel = kernel;
  }

  /** Any combination of DATAGRAM, HAS_CONTROL and HAS_ACCEPT; any other bit is INVALID_ARGS. */
  public HandlePairResult create(Process p, int options) {
    if ((options & ~Socket.CREATE_MASK) != 0) {
      return HandlePairResult.failed(Status.ERR_INVALID_ARGS);
    }
    return Installer.installPair(p, () -> Socket.createPair(kernel, options), Rights.DEFAULT_SOCKET,
        "zx_socket_create");
  }

  public WriteResult write(Process p, int handle, int options, ByteString data) {
    if ((options & ~CONTROL) != 0) {
      return new WriteResult(Status.ERR_INVALID_ARGS, 0);
    }
    Handle h = p.handles().get(handle);
    int status = Lookup.check(h, ObjectType.SOCKET, Rights.WRITE);
    if (status != Status.OK) {
      return new WriteResult(status, 0);
    }
    Socket socket = (Socket) h.object();
    Wakeups wakeups = new Wakeups();
    Socket.WriteOutcome outcome = (options & CONTROL) != 0
        ? socket.writeControl(data, wakeups) : socket.write(data, wakeups);
    wakeups.run();
    return new WriteResult(outcome.status(), outcome.actual());
  }

  public ReadResult read(Process p, int handle, int options, int len) {
    if ((options & ~(CONTROL | PEEK)) != 0 || len < 0) {
      return new ReadResult(Status.ERR_INVALID_ARGS, ByteString.EMPTY);
    }
    Handle h = p.handles().get(handle);
    int status = Lookup.check(h, ObjectType.SOCKET, Rights.READ);
    if (status != Status.OK) {
      return new ReadResult(status, ByteString.EMPTY);
    }
    Socket socket = (Socket) h.object();
    boolean peek = (options & PEEK) != 0;
    Wakeups wakeups = new Wakeups();
    Socket.ReadOutcome outcome = (options & CONTROL) != 0
        ? socket.readControl(len, peek, wakeups) : socket.read(len, peek, wakeups);
    wakeups.run();
    return new ReadResult(outcome.status(), outcome.bytes());
  }

  /** zx_socket_shutdown. Idempotent, and OK after the peer closed (only this end changes then). */
  public int shutdown(Process p, int handle, int options) {
    if ((options & ~(SHUTDOWN_READ | SHUTDOWN_WRITE)) != 0) {
      return Status.ERR_INVALID_ARGS;
    }
    Handle h = p.handles().get(handle);
    int status = Lookup.check(h, ObjectType.SOCKET, Rights.WRITE);
    if (status != Status.OK) {
      return status;
    }
    Wakeups wakeups = new Wakeups();
    status = ((Socket) h.object()).shutdown(
        (options & SHUTDOWN_READ) != 0, (options & SHUTDOWN_WRITE) != 0, wakeups);
    wakeups.run();
    return status;
  }

  /**
   * zx_socket_share. {@code socketToShare} leaves the caller's table on every path, SHOULD_WAIT included: the
   * seed page says it "is discarded rather than transferred" on any failure.
   */
  public int share(Process p, int handle, int socketToShare) {
    Handle h = p.handles().get(handle);
    int status = Lookup.check(h, ObjectType.SOCKET, Rights.WRITE);
    Handle shared = p.handles().remove(socketToShare);
    if (status == Status.OK) {
      status = checkShareable((Socket) h.object(), shared);
    }
    if (status == Status.OK) {
      Wakeups wakeups = new Wakeups();
      status = ((Socket) h.object()).share(shared, wakeups);
      if (status != Status.OK) {
        shared.release(wakeups);
      }
      wakeups.run();
      return status;
    }
    if (shared != null) {
      shared.release();
    }
    return status;
  }

  private static int checkShareable(Socket via, Handle shared) {
    if (shared == null) {
      return Status.ERR_BAD_HANDLE;
    }
    if (!shared.hasRights(Rights.TRANSFER)) {
      return Status.ERR_ACCESS_DENIED;
    }
    if (shared.object().type() != ObjectType.SOCKET) {
      return Status.ERR_WRONG_TYPE;
    }
    Socket s = (Socket) shared.object();
    // Checked before NOT_SUPPORTED: sharing a HAS_ACCEPT socket, the socket itself or its peer is BAD_STATE
    // even over a socket that cannot share at all.
    if (s.hasAccept() || s == via || s.koid() == via.relatedKoid()) {
      return Status.ERR_BAD_STATE;
    }
    if (!via.hasAccept()) {
      return Status.ERR_NOT_SUPPORTED;
    }
    return Status.OK;
  }

  /** zx_socket_accept: the shared socket's handle arrives with the rights it was sent with. */
  public HandleResult accept(Process p, int handle) {
    Handle h = p.handles().get(handle);
    int status = Lookup.check(h, ObjectType.SOCKET, Rights.READ);
    if (status != Status.OK) {
      return HandleResult.failed(status);
    }
    Socket socket = (Socket) h.object();
    if (!socket.hasAccept()) {
      return HandleResult.failed(Status.ERR_NOT_SUPPORTED);
    }
    if (!p.handles().hasRoomFor(1)) {
      return HandleResult.failed(Status.ERR_NO_RESOURCES);
    }
    Wakeups wakeups = new Wakeups();
    Handle accepted = socket.accept(wakeups);
    wakeups.run();
    if (accepted == null) {
      return HandleResult.failed(Status.ERR_SHOULD_WAIT);
    }
    int value = p.handles().add(accepted);
    if (value == 0) {
      Wakeups w = new Wakeups();
      socket.unaccept(accepted, w);
      w.run();
      return HandleResult.failed(Status.ERR_NO_RESOURCES);
    }
    return new HandleResult(Status.OK, value);
  }

  /**
   * WSADuplicateSocket: a token for process {@code targetProcessId} to get its own handle to this socket. Needs
   * DUPLICATE on the socket handle; an unknown or dead target is NOT_FOUND. The token holds a reference to the
   * socket from now until it is redeemed or expires.
   */
  public TokenResult duplicateForProcess(Process p, int handle, long targetProcessId) {
    Handle h = p.handles().get(handle);
    int status = Lookup.check(h, ObjectType.SOCKET, Rights.DUPLICATE);
    if (status != Status.OK) {
      return new TokenResult(status, null);
    }
    Process target = kernel.processes().get(targetProcessId);
    if (target == null) {
      return new TokenResult(Status.ERR_NOT_FOUND, null);
    }
    Handle held = h.derive(h.rights(), "zx_socket_duplicate_for_process");
    return new TokenResult(Status.OK, kernel.tokens().issue(held, p, target));
  }

  /**
   * WSASocket with a protocol-info token: installs a new handle to the token's socket in the target process.
   * The token is then spent. NOT_FOUND for unknown, forged, expired or spent tokens; ACCESS_DENIED for any
   * process but the target, and NO_RESOURCES for a target with no room for the handle, both without spending it.
   */
  public HandleResult createFromProtocolInfo(Process p, String token) {
    if (!p.handles().hasRoomFor(1)) {
      return HandleResult.failed(Status.ERR_NO_RESOURCES);
    }
    return kernel.tokens().redeem(p, token);
  }
}
