"""The thin layer: a Process (a session with its KeepAlive), typed handles that are context managers, ZxError."""

import os
import threading
import time

import grpc

from zxd._stubs import (
    CONSTANTS as C,
    Stubs,
    channel_pb2,
    clock_pb2,
    clock_pb2_grpc,
    event_pb2,
    handle_pb2,
    object_pb2,
    process_pb2,
    process_pb2_grpc,
    socket_pb2,
    status_pb2,
    types_pb2,
    status_name,
)

DEFAULT_TARGET = "127.0.0.1:7474"
ZX_TIME_INFINITE = C["ZX_TIME_INFINITE"]
ZX_RIGHT_SAME_RIGHTS = C["ZX_RIGHT_SAME_RIGHTS"]

#: The default `timeout` of the read methods: do not wait (an empty channel or socket raises SHOULD_WAIT).
NO_WAIT = object()


class ZxError(Exception):
    """A syscall returned a status other than ZX_OK. `status` is Zircon's number, `name` its name."""

    def __init__(self, status, syscall):
        self.status = int(status)
        self.name = status_name(self.status)
        self.syscall = syscall
        super().__init__("%s: %s (%d)" % (syscall, self.name, self.status))


class WriteEtcError(ZxError):
    """zx_channel_write_etc failed; `results` has each disposition's own status, in order."""

    def __init__(self, status, results):
        super().__init__(status, "zx_channel_write_etc")
        self.results = [int(r) for r in results]


def _check(status, syscall):
    if status != 0:
        raise ZxError(status, syscall)


def _u32(value):
    return int(value) & 0xFFFFFFFF


# ---------------------------------------------------------------------------------------------------------
# handles


class Handle:
    """A handle value of one process. Usable as a context manager (closed on exit). A handle given away
    (moved into a message, replaced, closed) reads as value 0 afterwards: using it again is BAD_HANDLE."""

    def __init__(self, process, value, type=0, rights=None):
        self.process = process
        self._value = int(value)
        #: ZX_OBJ_TYPE_* when known (read_etc), else 0.
        self.type = type
        #: The rights when known (read_etc), else None (basic_info().rights asks the daemon).
        self.rights = rights

    @property
    def value(self):
        return self._value

    def release(self):
        """Forgets the value without closing it (it was moved somewhere) and returns it."""
        v, self._value = self._value, 0
        return v

    def close(self):
        """zx_handle_close. Closing twice is harmless (the second closes ZX_HANDLE_INVALID)."""
        v = self.release()
        if v:
            _check(self.process.stubs.handle.Close(handle_pb2.HandleCloseRequest(handle=v)).status,
                   "zx_handle_close")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._value and self.process.alive:
            self.close()
        return False

    def __bool__(self):
        return self._value != 0

    def __repr__(self):
        return "%s(0x%08x)" % (type(self).__name__, self._value)

    def _rewrap(self, value):
        return type(self)(self.process, value)

    def as_(self, cls):
        """This same value viewed as `cls` (Channel, Socket, ...): no syscall; a wrong guess is WRONG_TYPE later."""
        return cls(self.process, self._value, self.type, self.rights)

    def as_channel(self):
        return self.as_(Channel)

    def as_socket(self):
        return self.as_(Socket)

    def as_event(self):
        return self.as_(Event)

    def as_process(self):
        return self.as_(ProcessHandle)

    def duplicate(self, rights=ZX_RIGHT_SAME_RIGHTS):
        """zx_handle_duplicate: a new handle to the same object, same class."""
        r = self.process.stubs.handle.Duplicate(
            handle_pb2.HandleDuplicateRequest(handle=self._value, rights=_u32(rights)))
        _check(r.status, "zx_handle_duplicate")
        return self._rewrap(r.out)

    def replace(self, rights):
        """zx_handle_replace: this handle is consumed (also on failure); the new one is returned."""
        v = self.release()
        r = self.process.stubs.handle.Replace(handle_pb2.HandleReplaceRequest(handle=v, rights=_u32(rights)))
        _check(r.status, "zx_handle_replace")
        return self._rewrap(r.out)

    def basic_info(self):
        """ZX_INFO_HANDLE_BASIC: koid, rights, type, related_koid."""
        r = self.process.stubs.object.GetInfo(object_pb2.ObjectGetInfoRequest(
            handle=self._value, topic=C["ZX_INFO_HANDLE_BASIC"], buffer_size=32))
        _check(r.status, "zx_object_get_info")
        return r.handle_basic

    @property
    def koid(self):
        return self.basic_info().koid

    def signal(self, clear_mask, set_mask):
        _check(self.process.stubs.object.Signal(object_pb2.ObjectSignalRequest(
            handle=self._value, clear_mask=_u32(clear_mask), set_mask=_u32(set_mask))).status,
            "zx_object_signal")

    def signal_peer(self, clear_mask, set_mask):
        _check(self.process.stubs.object.SignalPeer(object_pb2.ObjectSignalPeerRequest(
            handle=self._value, clear_mask=_u32(clear_mask), set_mask=_u32(set_mask))).status,
            "zx_object_signal_peer")

    def wait_one(self, signals, timeout=None, deadline=None):
        """zx_object_wait_one: returns the observed signals once any of `signals` is asserted. `timeout` in
        seconds (None: forever) or an absolute `deadline` on the daemon's clock. TIMED_OUT and CANCELED raise
        ZxError (with `.observed` set)."""
        if deadline is None:
            deadline = ZX_TIME_INFINITE if timeout is None else self.process.deadline_after(timeout)
        r = self.process.stubs.object.WaitOne(object_pb2.ObjectWaitOneRequest(
            handle=self._value, signals=_u32(signals), deadline=deadline))
        if r.status != 0:
            err = ZxError(r.status, "zx_object_wait_one")
            err.observed = r.observed
            raise err
        return r.observed

    def signals(self):
        """The signals asserted now (a wait for nothing with a past deadline, as Zircon programs do)."""
        r = self.process.stubs.object.WaitOne(object_pb2.ObjectWaitOneRequest(
            handle=self._value, signals=0, deadline=0))
        if r.status not in (0, C["ZX_ERR_TIMED_OUT"]):
            raise ZxError(r.status, "zx_object_wait_one")
        return r.observed


class Event(Handle):
    pass


class Message:
    """A channel message as received: `data` (bytes) and `handles` (installed in the reader's table)."""

    def __init__(self, data, handles):
        self.data = data
        self.handles = handles

    @property
    def text(self):
        return self.data.decode("utf-8")

    def __repr__(self):
        return "Message(%r, %r)" % (self.data, self.handles)


class Disposition:
    """One handle of a write_etc message: MOVE (always leaves this process) or DUPLICATE (stays)."""

    def __init__(self, handle, operation, type=0, rights=ZX_RIGHT_SAME_RIGHTS):
        self.handle = handle
        self.operation = operation
        self.type = type
        self.rights = rights

    def to_proto(self):
        return types_pb2.HandleDisposition(operation=self.operation, handle=self.handle.value,
                                           type=self.type, rights=_u32(self.rights))


def move(handle, rights=ZX_RIGHT_SAME_RIGHTS, type=0):
    """ZX_HANDLE_OP_MOVE, optionally reducing the rights and checking the object type (ZX_OBJ_TYPE_*)."""
    return Disposition(handle, C["ZX_HANDLE_OP_MOVE"], type, rights)


def duplicate(handle, rights=ZX_RIGHT_SAME_RIGHTS, type=0):
    """ZX_HANDLE_OP_DUPLICATE, optionally reducing the rights and checking the object type."""
    return Disposition(handle, C["ZX_HANDLE_OP_DUPLICATE"], type, rights)


_TYPES = {}


def _wrap(process, info):
    cls = _TYPES.get(info.type, Handle)
    return cls(process, info.handle, info.type, info.rights)


class Channel(Handle):
    """One endpoint of a channel."""

    def write(self, data=b"", handles=()):
        """zx_channel_write. The handles leave this process whatever the outcome."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        values = [h.release() for h in handles]
        _check(self.process.stubs.channel.Write(channel_pb2.ChannelWriteRequest(
            handle=self._value, bytes=data, handles=values)).status, "zx_channel_write")

    def write_etc(self, data=b"", *dispositions):
        """zx_channel_write_etc with `zxd.move(h, ...)` / `zxd.duplicate(h, ...)` entries. MOVE entries leave
        this process whatever the outcome. On failure raises WriteEtcError with each entry's result."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        entries = [d.to_proto() for d in dispositions]
        for d in dispositions:
            if d.operation != C["ZX_HANDLE_OP_DUPLICATE"]:
                d.handle.release()
        r = self.process.stubs.channel.WriteEtc(channel_pb2.ChannelWriteEtcRequest(
            handle=self._value, bytes=data, handles=entries))
        if r.status != 0:
            raise WriteEtcError(r.status, [e.result for e in r.handles])

    def _wait_for_message(self, timeout):
        if timeout is not NO_WAIT:
            self.wait_one(C["ZX_CHANNEL_READABLE"] | C["ZX_CHANNEL_PEER_CLOSED"], timeout=timeout)

    def read(self, timeout=NO_WAIT):
        """zx_channel_read with room for the largest message. Without `timeout` it does not wait (an empty
        channel raises SHOULD_WAIT); with one it first waits up to `timeout` seconds (None: forever) for
        READABLE or PEER_CLOSED. Handles come back untyped: `msg.handles[0].as_channel()`."""
        self._wait_for_message(timeout)
        r = self.process.stubs.channel.Read(channel_pb2.ChannelReadRequest(
            handle=self._value, num_bytes=C["ZX_CHANNEL_MAX_MSG_BYTES"],
            num_handles=C["ZX_CHANNEL_MAX_MSG_HANDLES"]))
        _check(r.status, "zx_channel_read")
        return Message(r.bytes, [Handle(self.process, h) for h in r.handles])

    def read_etc(self, timeout=NO_WAIT):
        """zx_channel_read_etc: like read(), with each handle typed (Channel, Socket, ...) and its rights."""
        self._wait_for_message(timeout)
        r = self.process.stubs.channel.ReadEtc(channel_pb2.ChannelReadEtcRequest(
            handle=self._value, num_bytes=C["ZX_CHANNEL_MAX_MSG_BYTES"],
            num_handles=C["ZX_CHANNEL_MAX_MSG_HANDLES"]))
        _check(r.status, "zx_channel_read_etc")
        return Message(r.bytes, [_wrap(self.process, i) for i in r.handles])


class Socket(Handle):
    """One end of a socket."""

    def write(self, data, options=0):
        """zx_socket_write: returns the bytes written (a stream write may be short)."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        r = self.process.stubs.socket.Write(socket_pb2.SocketWriteRequest(
            handle=self._value, options=options, buffer=data))
        _check(r.status, "zx_socket_write")
        return r.actual

    def write_all(self, data, timeout=10.0):
        """Writes every byte, waiting for WRITABLE when the socket is full."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        while data:
            try:
                data = data[self.write(data):]
            except ZxError as e:
                if e.status != C["ZX_ERR_SHOULD_WAIT"]:
                    raise
                self.wait_one(C["ZX_SOCKET_WRITABLE"] | C["ZX_SOCKET_PEER_CLOSED"], timeout=timeout)

    def read(self, max_bytes=65536, options=0, timeout=NO_WAIT):
        """zx_socket_read of at most `max_bytes`. With `timeout` (seconds, None: forever), first waits for
        READABLE or PEER_CLOSED."""
        if timeout is not NO_WAIT:
            self.wait_one(C["ZX_SOCKET_READABLE"] | C["ZX_SOCKET_PEER_CLOSED"], timeout=timeout)
        r = self.process.stubs.socket.Read(socket_pb2.SocketReadRequest(
            handle=self._value, options=options, buffer_size=max_bytes))
        _check(r.status, "zx_socket_read")
        return r.buffer

    def shutdown(self, options):
        _check(self.process.stubs.socket.Shutdown(socket_pb2.SocketShutdownRequest(
            handle=self._value, options=options)).status, "zx_socket_shutdown")

    def duplicate_for(self, process_id):
        """WSADuplicateSocket: a one-time ProtocolInfo for process `process_id`. Send
        `info.SerializeToString()` over any IPC; the target redeems it with socket_from_protocol_info()."""
        r = self.process.stubs.socket.DuplicateForProcess(socket_pb2.SocketDuplicateForProcessRequest(
            handle=self._value, process_id=process_id))
        _check(r.status, "socket_duplicate_for_process")
        return r.protocol_info


class ProcessHandle(Handle):
    """A handle to another process: start it, wait for it, kill it."""

    def start(self, arg1=None):
        """zx_process_start: moves `arg1` (typically a bootstrap channel end) into the child."""
        v = arg1.release() if arg1 is not None else 0
        _check(self.process.stubs.process.Start(process_pb2.ProcessStartRequest(
            handle=self._value, arg1=v)).status, "zx_process_start")

    def kill(self):
        _check(self.process.stubs.task.Kill(process_pb2.TaskKillRequest(handle=self._value)).status,
               "zx_task_kill")

    def wait_terminated(self, timeout=None):
        return self.wait_one(C["ZX_TASK_TERMINATED"], timeout=timeout)


_TYPES.update({
    C["ZX_OBJ_TYPE_CHANNEL"]: Channel,
    C["ZX_OBJ_TYPE_SOCKET"]: Socket,
    C["ZX_OBJ_TYPE_EVENT"]: Event,
    C["ZX_OBJ_TYPE_PROCESS"]: ProcessHandle,
})


class Child:
    """A child just made with create_child: its handle, its id, and the token its client needs."""

    def __init__(self, handle, process_id, session_token):
        self.handle = handle
        self.process_id = process_id
        self.session_token = session_token


class StartupInfo:
    """What a started process finds: its id, its name, and the handle its parent passed to Start (or None)."""

    def __init__(self, process_id, name, arg1):
        self.process_id = process_id
        self.name = name
        self.arg1 = arg1


# ---------------------------------------------------------------------------------------------------------
# processes


def connect(target=None):
    """A gRPC channel to the daemon: `host:port`, `[v6]:port` or `unix:/path` (default $ZXD_TARGET, else
    127.0.0.1:7474). Several processes may share one."""
    return grpc.insecure_channel(target or os.environ.get("ZXD_TARGET") or DEFAULT_TARGET)


class Process:
    """Being one process of the simulated system: the session token on every call, and a KeepAlive stream held
    open by a background thread. Use it as a context manager; leaving the block exits the process (retcode 0,
    or 1 when the block raised), which closes every handle it still holds.

        with zxd.Process.create("tool") as me:
            a, b = me.create_channel()
    """

    def __init__(self, grpc_channel, session_token, owns_channel=False):
        self.grpc_channel = grpc_channel
        self.session_token = session_token
        self.stubs = Stubs(grpc_channel, session_token)
        self._owns_channel = owns_channel
        self._terminated = threading.Event()
        self.return_code = None
        self._keepalive_error = None
        self._exited = False
        self._clock_offset = self._measure_clock()
        self.koid = None
        self._first = threading.Event()
        self._keepalive = self.stubs.process.KeepAlive(process_pb2.ProcessKeepAliveRequest())
        self._thread = threading.Thread(target=self._run_keepalive, name="zxd-keepalive", daemon=True)
        self._thread.start()
        if not self._first.wait(30):
            self._keepalive.cancel()
            raise TimeoutError("zxd: no KeepAlive answer from the daemon in 30 s")
        if self.koid is None:
            # Typically grpc.RpcError UNAUTHENTICATED: an unknown or dead process's token.
            raise self._keepalive_error or RuntimeError("zxd: the KeepAlive stream ended at once")

    # -- becoming a process

    @classmethod
    def create(cls, name, target=None):
        """Process/Create without a session: a new top-level process (already started)."""
        ch = connect(target)
        try:
            r = process_pb2_grpc.ProcessStub(ch).Create(process_pb2.ProcessCreateRequest(name=name))
            _check(r.status, "zx_process_create")
            return cls(ch, r.session_token, owns_channel=True)
        except BaseException:
            ch.close()
            raise

    @classmethod
    def attach(cls, session_token, target=None):
        """Becomes a process another process created (its parent handed this client the token)."""
        ch = connect(target)
        try:
            return cls(ch, session_token, owns_channel=True)
        except BaseException:
            ch.close()
            raise

    @classmethod
    def from_environment(cls):
        """The launch convention: a launcher starts the OS process with ZXD_TARGET (the daemon's address) and
        ZXD_SESSION (the child's token) in its environment."""
        token = os.environ.get("ZXD_SESSION")
        if not token:
            raise RuntimeError("zxd: ZXD_SESSION is not set; this program must be launched by a zxd process")
        return cls.attach(token, os.environ.get("ZXD_TARGET"))

    def _run_keepalive(self):
        try:
            for reply in self._keepalive:
                if self.koid is None:
                    self.koid = reply.process_id
                    self.grace_period = reply.grace_period / 1e9
                    self._first.set()
                if reply.terminated:
                    self.return_code = reply.return_code
                    self._terminated.set()
        except grpc.RpcError as e:
            self._keepalive_error = e
        finally:
            self._first.set()
            if self.return_code is not None or self._exited:
                self._terminated.set()

    # -- time

    def _measure_clock(self):
        before = time.monotonic_ns()
        daemon_now = clock_pb2_grpc.ClockStub(self.grpc_channel).GetMonotonic(
            clock_pb2.ClockGetMonotonicRequest()).time
        after = time.monotonic_ns()
        return daemon_now - (before + after) // 2

    def now(self):
        """The daemon's monotonic clock now, estimated locally (ZX_CLOCK_MONOTONIC)."""
        return time.monotonic_ns() + self._clock_offset

    def deadline_after(self, seconds):
        """zx_deadline_after: `seconds` from now on the daemon's clock."""
        return min(ZX_TIME_INFINITE, self.now() + int(seconds * 1e9))

    # -- state

    @property
    def alive(self):
        return not self._terminated.is_set() and not self._exited

    def wait_terminated(self, timeout=None):
        """Waits until the daemon reports this process dead; returns its return code (None on timeout)."""
        self._terminated.wait(timeout)
        return self.return_code

    def startup_info(self):
        """Process/Attach: waits until this process is started; arg1 is the handle from Process/Start."""
        r = self.stubs.process.Attach(process_pb2.ProcessAttachRequest())
        _check(r.status, "process_attach")
        return StartupInfo(r.process_id, r.name, Handle(self, r.arg1) if r.arg1 else None)

    def handle(self, value):
        """Wraps a raw handle value of this process."""
        return Handle(self, value)

    # -- making objects

    def create_channel(self):
        """zx_channel_create: (end0, end1)."""
        r = self.stubs.channel.Create(channel_pb2.ChannelCreateRequest())
        _check(r.status, "zx_channel_create")
        return Channel(self, r.out0), Channel(self, r.out1)

    def create_socket(self, options=0):
        """zx_socket_create: (end0, end1). options: ZX_SOCKET_STREAM (0) / ZX_SOCKET_DATAGRAM | ..."""
        r = self.stubs.socket.Create(socket_pb2.SocketCreateRequest(options=options))
        _check(r.status, "zx_socket_create")
        return Socket(self, r.out0), Socket(self, r.out1)

    def create_event(self):
        r = self.stubs.event.Create(event_pb2.EventCreateRequest())
        _check(r.status, "zx_event_create")
        return Event(self, r.out)

    def create_child(self, name):
        """zx_process_create from inside this process: a child (not started yet), a handle to it, its token."""
        r = self.stubs.process.Create(process_pb2.ProcessCreateRequest(name=name))
        _check(r.status, "zx_process_create")
        return Child(ProcessHandle(self, r.proc_handle), r.process_id, r.session_token)

    def socket_from_protocol_info(self, info):
        """WSASocket(FROM_PROTOCOL_INFO): redeems a token addressed to this process (a ProtocolInfo or its
        serialized bytes), once."""
        if isinstance(info, (bytes, bytearray)):
            info = socket_pb2.ProtocolInfo.FromString(bytes(info))
        r = self.stubs.socket.CreateFromProtocolInfo(
            socket_pb2.SocketCreateFromProtocolInfoRequest(protocol_info=info))
        _check(r.status, "socket_create_from_protocol_info")
        return Socket(self, r.out)

    # -- ending

    def exit(self, retcode=0):
        """zx_process_exit: every handle this process holds is closed; peers see PEER_CLOSED."""
        if self._exited:
            return
        self._exited = True
        try:
            if not self._terminated.is_set():
                try:
                    self.stubs.process.Exit(process_pb2.ProcessExitRequest(retcode=retcode))
                except grpc.RpcError as e:
                    if e.code() != grpc.StatusCode.UNAUTHENTICATED:  # already dead
                        raise
        finally:
            self._keepalive.cancel()
            self._thread.join(5)
            if self._owns_channel:
                self.grpc_channel.close()

    close = exit

    def abandon(self):
        """Drops the KeepAlive stream without exiting, as a crashed client would (tests of the grace period)."""
        self._keepalive.cancel()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.exit(0 if exc_type is None else 1)
        return False

