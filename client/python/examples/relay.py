#!/usr/bin/python3
"""The Python process of the cross-language scenario (docs/polyglot.md): a child launched by another process.

It is started like any launched zxd program: the launcher made it with Process/Create, started it with
Process/Start (a bootstrap channel as arg1), and spawned this OS process with ZXD_TARGET and ZXD_SESSION in its
environment. On the bootstrap channel it expects, in order:

  1. bytes = a serialized zxd.v1.ProtocolInfo: a socket handed over WSADuplicateSocket-style;
  2. bytes = b"svc:echo", handles = [a channel to the echo service];
  3. bytes = b"exit": exit cleanly (until then it just waits: the launcher may kill it instead).

It redeems the socket and writes "python <koid>: hello" to it; connects to the echo service by making a channel
and moving the server end to the service (zx_channel_write_etc, MOVE, fewer rights), sends a request on the
client end, and writes the reply to the socket as "python <koid>: node replied: <reply>".

    PYTHONPATH=client/python ZXD_TARGET=... ZXD_SESSION=... /usr/bin/python3 client/python/examples/relay.py
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import zxd  # noqa: E402

TIMEOUT = 20.0  # seconds, for every wait except the last one


def log(text):
    print("relay.py: " + text, flush=True)


def main():
    with zxd.Process.from_environment() as me:
        log("attached as process %d" % me.koid)
        with me.startup_info().arg1.as_channel() as bootstrap:
            # 1. The socket, through a protocol-info token.
            with me.socket_from_protocol_info(bootstrap.read(timeout=TIMEOUT).data) as sock:
                sock.write_all("python %d: hello\n" % me.koid)
                log("redeemed the socket token, socket koid %d" % sock.koid)

                # 2. A channel to the echo service.
                msg = bootstrap.read_etc(timeout=TIMEOUT)
                if msg.text != "svc:echo" or len(msg.handles) != 1:
                    raise RuntimeError("expected svc:echo with one handle, got %r" % msg)
                with msg.handles[0] as svc:
                    # Connect: the server end goes to the service; requests can be sent at once (pipelining).
                    client_end, server_end = me.create_channel()
                    with client_end:
                        svc.write_etc(b"connect", zxd.move(
                            server_end, type=zxd.ZX_OBJ_TYPE_CHANNEL,
                            rights=zxd.ZX_RIGHT_READ | zxd.ZX_RIGHT_WRITE | zxd.ZX_RIGHT_WAIT
                            | zxd.ZX_RIGHT_INSPECT))
                        client_end.write("ping from python %d" % me.koid)
                        reply = client_end.read(timeout=TIMEOUT)
                        log("the echo service replied %r" % reply.text)
                        sock.write_all("python %d: node replied: %s\n" % (me.koid, reply.text))

                        # 3. Wait for the launcher's word (holding every handle until then).
                        word = bootstrap.read(timeout=None).text
                        if word != "exit":
                            raise RuntimeError("expected exit, got %r" % word)
        log("exiting")


if __name__ == "__main__":
    main()
