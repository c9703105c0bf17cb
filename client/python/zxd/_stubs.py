"""The generated zxd.v1 modules, the constants as plain ints, and the session-carrying stub bundle."""

try:
    from zxd.v1 import (  # noqa: F401  (re-exported for raw access)
        channel_pb2, channel_pb2_grpc,
        clock_pb2, clock_pb2_grpc,
        constants_pb2,
        event_pb2, event_pb2_grpc,
        handle_pb2, handle_pb2_grpc,
        object_pb2, object_pb2_grpc,
        port_pb2, port_pb2_grpc,
        process_pb2, process_pb2_grpc,
        socket_pb2, socket_pb2_grpc,
        status_pb2,
        types_pb2,
    )
except ImportError as e:  # pragma: no cover - the message is the point
    raise ImportError(
        "zxd: the generated stubs (zxd.v1) are missing or do not load: run client/python/generate.sh "
        "(needs `apt-get install protobuf-compiler protobuf-compiler-grpc python3-grpcio`) and use "
        "/usr/bin/python3, whose protobuf runtime matches Debian's protoc. Cause: %s" % e) from e

SESSION_KEY = "zx-session"

# Every zxd.v1 enum value as a module-level int. Masks (rights, signals, options) travel in uint32 fields, so
# the bit-31 constants the proto has to write as negative int32 (ZX_RIGHT_SAME_RIGHTS, ZX_USER_SIGNAL_7, ...)
# are turned into their uint32 bit pattern here. Status values stay negative, as zx_status_t is.
CONSTANTS = {}
for _enum in constants_pb2.DESCRIPTOR.enum_types_by_name.values():
    for _v in _enum.values:
        CONSTANTS[_v.name] = _v.number & 0xFFFFFFFF
for _v in status_pb2.DESCRIPTOR.enum_types_by_name["Status"].values:
    CONSTANTS[_v.name] = _v.number
CONSTANTS["ZX_TIME_INFINITE"] = (1 << 63) - 1
CONSTANTS["ZX_TIME_INFINITE_PAST"] = -(1 << 63)
CONSTANTS["ZX_HANDLE_INVALID"] = 0


def status_name(status):
    """ZX_ERR_PEER_CLOSED for -24; the number itself for a value this version does not know."""
    try:
        return status_pb2.Status.Name(status)
    except ValueError:
        return str(status)


class _Bound:
    """One generated stub whose methods all carry the session metadata."""

    def __init__(self, stub, metadata):
        self._stub = stub
        self._metadata = metadata

    def __getattr__(self, name):
        method = getattr(self._stub, name)
        metadata = self._metadata

        def call(request, **kwargs):
            return method(request, metadata=metadata, **kwargs)

        call.__name__ = name
        return call


class Stubs:
    """The generated stubs of one process, each call carrying its `zx-session` token: every syscall, with
    status codes as values (`reply.status`). For code that prefers the raw API to the thin layer."""

    def __init__(self, grpc_channel, session_token):
        md = ((SESSION_KEY, session_token),)
        self.handle = _Bound(handle_pb2_grpc.HandleStub(grpc_channel), md)
        self.object = _Bound(object_pb2_grpc.ObjectStub(grpc_channel), md)
        self.channel = _Bound(channel_pb2_grpc.ChannelStub(grpc_channel), md)
        self.socket = _Bound(socket_pb2_grpc.SocketStub(grpc_channel), md)
        self.event = _Bound(event_pb2_grpc.EventStub(grpc_channel), md)
        self.eventpair = _Bound(event_pb2_grpc.EventPairStub(grpc_channel), md)
        self.port = _Bound(port_pb2_grpc.PortStub(grpc_channel), md)
        self.process = _Bound(process_pb2_grpc.ProcessStub(grpc_channel), md)
        self.task = _Bound(process_pb2_grpc.TaskStub(grpc_channel), md)
        self.clock = _Bound(clock_pb2_grpc.ClockStub(grpc_channel), md)
