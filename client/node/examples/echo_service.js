#!/usr/bin/env node
'use strict';
// The Node process of the cross-language scenario (docs/polyglot.md): an "echo" service, launched by another
// process like any zxd program (Process/Create + Process/Start with a bootstrap channel, and ZXD_TARGET /
// ZXD_SESSION in the environment of this OS process).
//
// On the bootstrap channel it expects bytes "serve:echo" with one handle: the channel its clients connect
// through. A client connects by sending "connect" with the server end of a fresh channel (MOVE); the service
// answers one request on it ("pong from node <koid>: <request>"), reports to its launcher on the bootstrap channel,
// then waits until the client's ends are gone (PEER_CLOSED on the connection and on the service channel: the
// client closed them or its process died), reports again and exits. Reports are one JSON object per message:
//   {"event":"served","node":<koid>,"request":"...","type":<ZX_OBJ_TYPE_*>,"rights":<rights>}
//   {"event":"peer-closed","pipe_observed":<signals>,"svc_observed":<signals>,"waited_ms":<ms>}
//
//   ZXD_TARGET=... ZXD_SESSION=... node client/node/examples/echo_service.js
const zxd = require('..');

const { C } = zxd;
const TIMEOUT = 20000; // ms, for every wait but the last
const log = (text) => console.log(`echo_service.js: ${text}`);

async function main() {
  const me = await zxd.Process.fromEnv();
  let code = 1;
  try {
    log(`attached as process ${me.koid}`);
    const bootstrap = (await me.startupInfo()).arg1.asChannel();
    const start = await bootstrap.readEtc({ timeout: TIMEOUT });
    if (start.text !== 'serve:echo' || start.handles.length !== 1) throw new Error(`unexpected start message ${start.text}`);
    const svc = start.handles[0];

    const conn = await svc.readEtc({ timeout: TIMEOUT });
    if (conn.text !== 'connect' || conn.handles.length !== 1) throw new Error(`unexpected connect message ${conn.text}`);
    const pipe = conn.handles[0];
    log(`a client connected: ${pipe} type ${pipe.type}, rights 0x${pipe.rights.toString(16)}`);

    const request = await pipe.read({ timeout: TIMEOUT });
    await pipe.write(`pong from node ${me.koid}: ${request.text}`);
    await bootstrap.write(JSON.stringify({
      event: 'served', node: Number(me.koid), request: request.text, type: pipe.type, rights: pipe.rights,
    }));
    log(`served "${request.text}"`);

    // Hold the connection until the client goes away, however it goes.
    const t0 = Date.now();
    const pipeObserved = await pipe.waitOne(C.ZX_CHANNEL_PEER_CLOSED, { timeout: 60000 });
    const waitedMs = Date.now() - t0;
    // The service channel's other end was the client's too: it closes with the client's process, or when the
    // client drops it (just after the pipe, for a tidy client).
    const svcObserved = await svc.waitOne(C.ZX_CHANNEL_PEER_CLOSED, { timeout: TIMEOUT });
    log(`the client's end closed after ${waitedMs} ms (pipe 0x${pipeObserved.toString(16)}, svc 0x${svcObserved.toString(16)})`);
    await bootstrap.write(JSON.stringify({
      event: 'peer-closed', pipe_observed: pipeObserved, svc_observed: svcObserved, waited_ms: waitedMs,
    }));
    for (const h of [pipe, svc, bootstrap]) await h.close();
    code = 0;
  } finally {
    await me.exit(code);
  }
  log('exiting');
}

main().catch((e) => {
  console.error('echo_service.js: FAILED:', e);
  process.exitCode = 1;
});
