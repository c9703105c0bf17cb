#!/usr/bin/env node
'use strict';
// A top-level zxd process in Node: a channel carrying a socket, and the WSADuplicateSocket handoff to a child.
//
//   (cd client/node && npm ci)
//   node client/node/examples/hello.js [127.0.0.1:7474]
//
// Prints what it does and "hello.js: OK" at the end; exits non-zero on any failure.
const zxd = require('..');

const { C } = zxd;

async function main(target) {
  const me = await zxd.Process.create('hello.js', { target });
  try {
    console.log(`hello.js: I am process ${me.koid}`);

    // A channel message carrying a socket end (MOVE, with fewer rights).
    const [a, b] = await me.createChannel();
    const [s0, s1] = await me.createSocket(C.ZX_SOCKET_STREAM);
    await a.writeEtc('take this socket', [
      zxd.move(s1, { rights: C.ZX_RIGHT_READ | C.ZX_RIGHT_WRITE | C.ZX_RIGHT_WAIT, type: C.ZX_OBJ_TYPE_SOCKET }),
    ]);
    const msg = await b.readEtc({ timeout: 5000 });
    const received = msg.handles[0];
    console.log(`hello.js: read "${msg.text}" with a ${received.constructor.name}, rights 0x${received.rights.toString(16)}`);
    await s0.write('through the socket');
    console.log(`hello.js: the socket says "${await received.read(100, { timeout: 5000 })}"`);

    // Errors are ZxError with Zircon's status.
    try {
      await b.read();
      throw new Error('an empty channel should not read');
    } catch (e) {
      if (!(e instanceof zxd.ZxError) || e.status !== C.ZX_ERR_SHOULD_WAIT) throw e;
      console.log(`hello.js: reading an empty channel: ${e.statusName}`);
    }
    for (const h of [a, b, s0, received]) await h.close();

    // A child process, started with a bootstrap channel; a socket handed over with a protocol-info token.
    const child = await me.createChild('hello-child');
    const [boot0, boot1] = await me.createChannel();
    await child.handle.start(boot1);
    const kid = await zxd.Process.attach(child.sessionToken, { target });
    const kidBoot = (await kid.startupInfo()).arg1.asChannel();
    const [mine, theirs] = await me.createSocket();
    const info = await theirs.duplicateFor(child.processId);
    await boot0.write(info.toBytes());
    const redeemed = await kid.socketFromProtocolInfo((await kidBoot.read({ timeout: 5000 })).bytes);
    await redeemed.write('hi from the child');
    console.log(`hello.js: the child wrote "${await mine.read(100, { timeout: 5000 })}" through its redeemed socket`);
    await kid.exit(0);
    await child.handle.waitTerminated({ timeout: 5000 });
    console.log('hello.js: OK');
  } finally {
    await me.exit(0); // closes every handle still held
  }
}

main(process.argv[2]).catch((e) => {
  console.error('hello.js: FAILED:', e);
  process.exitCode = 1;
});
