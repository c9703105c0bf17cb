#!/usr/bin/python3
"""A top-level zxd process in Python: a channel carrying a socket, and the WSADuplicateSocket handoff to a child.

    client/python/generate.sh
    PYTHONPATH=client/python /usr/bin/python3 client/python/examples/hello.py [127.0.0.1:7474]

Prints what it does and "hello.py: OK" at the end; exits non-zero on any failure.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import zxd  # noqa: E402


def main(target):
    with zxd.Process.create("hello.py", target) as me:
        print("hello.py: I am process %d" % me.koid)

        # A channel message carrying a socket end (MOVE, with fewer rights).
        a, b = me.create_channel()
        s0, s1 = me.create_socket(zxd.ZX_SOCKET_STREAM)
        with a, b, s0:
            a.write_etc(b"take this socket",
                        zxd.move(s1, rights=zxd.ZX_RIGHT_READ | zxd.ZX_RIGHT_WRITE | zxd.ZX_RIGHT_WAIT,
                                 type=zxd.ZX_OBJ_TYPE_SOCKET))
            msg = b.read_etc(timeout=5)
            with msg.handles[0] as received:
                print("hello.py: read %r with a %s, rights 0x%x" % (msg.text, type(received).__name__,
                                                                    received.rights))
                s0.write(b"through the socket")
                print("hello.py: the socket says %r" % received.read(timeout=5))

            # Errors are ZxError with Zircon's status.
            try:
                b.read()
            except zxd.ZxError as e:
                assert e.status == zxd.ZX_ERR_SHOULD_WAIT, e
                print("hello.py: reading an empty channel: %s" % e.name)

        # A child process, started with a bootstrap channel; a socket handed over with a protocol-info token.
        child = me.create_child("hello-child")
        boot0, boot1 = me.create_channel()
        child.handle.start(boot1)
        with zxd.Process.attach(child.session_token, target) as kid, child.handle, boot0:
            kid_boot = kid.startup_info().arg1.as_channel()
            mine, theirs = me.create_socket()
            with mine, theirs:
                info = theirs.duplicate_for(child.process_id)
                boot0.write(info.SerializeToString())
                redeemed = kid.socket_from_protocol_info(kid_boot.read(timeout=5).data)
                redeemed.write("hi from the child")
                print("hello.py: the child wrote %r through its redeemed socket" % mine.read(timeout=5))
        print("hello.py: OK")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
