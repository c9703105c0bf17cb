'use strict';
/**
 * zxd for Node: be a process of a zxd simulated Zircon system.
 *
 * A thin layer over @grpc/grpc-js, with the stubs made at run time by @grpc/proto-loader from the .proto files
 * in ../../proto (or $ZXD_PROTO_DIR): every call returns a promise, handles have close(), a syscall that fails
 * rejects with ZxError (`status` is Zircon's number). Field names are the proto's (snake_case: the C names).
 *
 *   const zxd = require('zxd-client');
 *   const me = await zxd.Process.create('hello');
 *   const [a, b] = await me.createChannel();
 *   await a.write('hi');
 *   console.log((await b.read()).text);
 *   await me.exit(0);                     // closes every handle the process still holds
 *
 * 64-bit values (koids, deadlines) are BigInt. Masks are plain numbers; the constants are in `zxd.C`
 * (bit-31 constants such as ZX_RIGHT_SAME_RIGHTS already as their uint32 value, 0x80000000).
 */
const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const PROTO_DIR = process.env.ZXD_PROTO_DIR || path.join(__dirname, '..', '..', 'proto', 'src', 'main', 'proto');
const DEFAULT_TARGET = '127.0.0.1:7474';
const SESSION_KEY = 'zx-session';

function loadProtos() {
  const dir = path.join(PROTO_DIR, 'zxd', 'v1');
  if (!fs.existsSync(dir)) {
    throw new Error(`zxd: no .proto files in ${dir}; set ZXD_PROTO_DIR to the directory holding zxd/v1/*.proto`);
  }
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.proto')).sort().map((f) => `zxd/v1/${f}`);
  // keepCase: the proto's field names (handle, num_bytes, process_id, ...). longs as strings, turned into BigInt
  // below; enums as numbers; defaults so that a reply's zero fields (status ZX_OK = 0) are present.
  return protoLoader.loadSync(files, {
    includeDirs: [PROTO_DIR], keepCase: true, longs: String, enums: Number, defaults: true, oneofs: true,
  });
}

const definition = loadProtos();
const v1 = grpc.loadPackageDefinition(definition).zxd.v1;

// ---- constants ----------------------------------------------------------------------------------------------

/** Every zxd.v1 constant by its Zircon name. Masks as uint32; statuses negative, as zx_status_t is. */
const C = {};
const STATUS_NAMES = new Map();
for (const [name, def] of Object.entries(definition)) {
  if (!def.format || !def.format.includes('EnumDescriptorProto')) continue;
  for (const v of def.type.value) {
    if (name === 'zxd.v1.Status') {
      C[v.name] = v.number;
      STATUS_NAMES.set(v.number, v.name);
    } else {
      C[v.name] = v.number >>> 0;
    }
  }
}
C.ZX_TIME_INFINITE = (1n << 63n) - 1n;
C.ZX_TIME_INFINITE_PAST = -(1n << 63n);
C.ZX_HANDLE_INVALID = 0;

function statusName(status) {
  return STATUS_NAMES.get(status) || String(status);
}

/** A syscall returned a status other than ZX_OK. */
class ZxError extends Error {
  constructor(status, syscall) {
    super(`${syscall}: ${statusName(status)} (${status})`);
    this.name = 'ZxError';
    this.status = status;
    this.statusName = statusName(status);
    this.syscall = syscall;
  }
}

/** zx_channel_write_etc failed; `results` has each disposition's own status, in order. */
class WriteEtcError extends ZxError {
  constructor(status, results) {
    super(status, 'zx_channel_write_etc');
    this.name = 'WriteEtcError';
    this.results = results;
  }
}

function check(reply, syscall) {
  if (reply.status !== 0) throw new ZxError(reply.status, syscall);
  return reply;
}

const u32 = (x) => Number(x) >>> 0;
const toBytes = (data) => (typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data || []));

// ---- handles ------------------------------------------------------------------------------------------------

/**
 * A handle value of one process. A handle given away (moved into a message, replaced, closed) reads as value 0
 * afterwards: using it again is BAD_HANDLE, as in Zircon.
 */
class Handle {
  constructor(proc, value, type = 0, rights = null) {
    this.process = proc;
    this._value = value >>> 0;
    /** ZX_OBJ_TYPE_* when known (readEtc), else 0. */
    this.type = type;
    /** The rights when known (readEtc), else null (basicInfo() asks the daemon). */
    this.rights = rights;
  }

  get value() {
    return this._value;
  }

  /** Forgets the value without closing it (it was moved somewhere) and returns it. */
  release() {
    const v = this._value;
    this._value = 0;
    return v;
  }

  /** zx_handle_close. Closing twice is harmless. */
  async close() {
    const v = this.release();
    if (v) check(await this.process._call('handle', 'Close', { handle: v }), 'zx_handle_close');
  }

  toString() {
    return `${this.constructor.name}(0x${this._value.toString(16).padStart(8, '0')})`;
  }

  /** This value viewed as `cls` (Channel, Socket, ...): no syscall; a wrong guess is WRONG_TYPE later. */
  as(cls) {
    return new cls(this.process, this._value, this.type, this.rights);
  }

  asChannel() { return this.as(Channel); }

  asSocket() { return this.as(Socket); }

  asEvent() { return this.as(Event); }

  asProcess() { return this.as(ProcessHandle); }

  /** zx_handle_duplicate. */
  async duplicate(rights = C.ZX_RIGHT_SAME_RIGHTS) {
    const r = check(await this.process._call('handle', 'Duplicate', { handle: this._value, rights: u32(rights) }),
      'zx_handle_duplicate');
    return new this.constructor(this.process, r.out);
  }

  /** zx_handle_replace: this handle is consumed (also on failure). */
  async replace(rights) {
    const v = this.release();
    const r = check(await this.process._call('handle', 'Replace', { handle: v, rights: u32(rights) }),
      'zx_handle_replace');
    return new this.constructor(this.process, r.out);
  }

  /** ZX_INFO_HANDLE_BASIC: {koid (BigInt), rights, type, related_koid (BigInt)}. */
  async basicInfo() {
    const r = check(await this.process._call('object', 'GetInfo', {
      handle: this._value, topic: C.ZX_INFO_HANDLE_BASIC, buffer_size: 32,
    }), 'zx_object_get_info');
    const b = r.handle_basic;
    return { koid: BigInt(b.koid), rights: b.rights, type: b.type, related_koid: BigInt(b.related_koid) };
  }

  async koid() {
    return (await this.basicInfo()).koid;
  }

  async signal(clearMask, setMask) {
    check(await this.process._call('object', 'Signal', {
      handle: this._value, clear_mask: u32(clearMask), set_mask: u32(setMask),
    }), 'zx_object_signal');
  }

  async signalPeer(clearMask, setMask) {
    check(await this.process._call('object', 'SignalPeer', {
      handle: this._value, clear_mask: u32(clearMask), set_mask: u32(setMask),
    }), 'zx_object_signal_peer');
  }

  /**
   * zx_object_wait_one: resolves with the observed signals once any of `signals` is asserted. `timeout` in
   * milliseconds (omitted or Infinity: forever) or `deadline` (BigInt, the daemon's clock). TIMED_OUT and CANCELED reject
   * with ZxError (with `.observed`).
   */
  async waitOne(signals, { timeout, deadline } = {}) {
    if (deadline === undefined) {
      deadline = timeout === undefined ? C.ZX_TIME_INFINITE : this.process.deadlineAfter(timeout);
    }
    const r = await this.process._call('object', 'WaitOne', {
      handle: this._value, signals: u32(signals), deadline: deadline.toString(),
    });
    if (r.status !== 0) {
      const e = new ZxError(r.status, 'zx_object_wait_one');
      e.observed = r.observed;
      throw e;
    }
    return r.observed;
  }

  /** The signals asserted now. */
  async signals() {
    const r = await this.process._call('object', 'WaitOne', { handle: this._value, signals: 0, deadline: '0' });
    if (r.status !== 0 && r.status !== C.ZX_ERR_TIMED_OUT) throw new ZxError(r.status, 'zx_object_wait_one');
    return r.observed;
  }
}

// `await using h = ...` closes the handle where the runtime has explicit resource management.
if (Symbol.asyncDispose) {
  Handle.prototype[Symbol.asyncDispose] = async function dispose() {
    if (this._value && this.process.alive) await this.close();
  };
}

class Event extends Handle {}

/** A channel message as received: `bytes` (Buffer) and `handles` (installed in the reader's table). */
class Message {
  constructor(bytes, handles) {
    this.bytes = bytes;
    this.handles = handles;
  }

  get text() {
    return this.bytes.toString('utf8');
  }
}

/** One entry of a writeEtc message. Build with zxd.move(handle, opts) or zxd.duplicate(handle, opts). */
class Disposition {
  constructor(handle, operation, { rights = C.ZX_RIGHT_SAME_RIGHTS, type = 0 } = {}) {
    this.handle = handle;
    this.operation = operation;
    this.rights = rights;
    this.type = type;
  }
}

/** ZX_HANDLE_OP_MOVE, optionally with fewer `rights` and a `type` check (ZX_OBJ_TYPE_*). */
const move = (handle, opts) => new Disposition(handle, C.ZX_HANDLE_OP_MOVE, opts);
/** ZX_HANDLE_OP_DUPLICATE, optionally with fewer `rights` and a `type` check. */
const duplicate = (handle, opts) => new Disposition(handle, C.ZX_HANDLE_OP_DUPLICATE, opts);

function wrap(proc, info) {
  const cls = {
    [C.ZX_OBJ_TYPE_CHANNEL]: Channel,
    [C.ZX_OBJ_TYPE_SOCKET]: Socket,
    [C.ZX_OBJ_TYPE_EVENT]: Event,
    [C.ZX_OBJ_TYPE_PROCESS]: ProcessHandle,
  }[info.type] || Handle;
  return new cls(proc, info.handle, info.type, info.rights);
}

/** One endpoint of a channel. */
class Channel extends Handle {
  /** zx_channel_write. The handles leave this process whatever the outcome. */
  async write(data, handles = []) {
    const values = handles.map((h) => h.release());
    check(await this.process._call('channel', 'Write', { handle: this._value, bytes: toBytes(data), handles: values }),
      'zx_channel_write');
  }

  /**
   * zx_channel_write_etc with zxd.move / zxd.duplicate entries. MOVE entries leave this process whatever the
   * outcome. Rejects with WriteEtcError (each entry's result) on failure.
   */
  async writeEtc(data, dispositions = []) {
    const entries = dispositions.map((d) => ({
      operation: d.operation, handle: d.handle.value, type: d.type, rights: u32(d.rights),
    }));
    for (const d of dispositions) if (d.operation !== C.ZX_HANDLE_OP_DUPLICATE) d.handle.release();
    const r = await this.process._call('channel', 'WriteEtc', { handle: this._value, bytes: toBytes(data), handles: entries });
    if (r.status !== 0) throw new WriteEtcError(r.status, r.handles.map((h) => h.result));
  }

  async _waitForMessage(timeout) {
    if (timeout !== undefined) await this.waitOne(C.ZX_CHANNEL_READABLE | C.ZX_CHANNEL_PEER_CLOSED, { timeout });
  }

  /**
   * zx_channel_read with room for the largest message. Without `timeout` it does not wait (empty: SHOULD_WAIT);
   * with one (ms; Infinity: forever) it first waits for READABLE or PEER_CLOSED. Handles come back untyped
   * (`.asChannel()`).
   */
  async read({ timeout } = {}) {
    await this._waitForMessage(timeout);
    const r = check(await this.process._call('channel', 'Read', {
      handle: this._value, num_bytes: C.ZX_CHANNEL_MAX_MSG_BYTES, num_handles: C.ZX_CHANNEL_MAX_MSG_HANDLES,
    }), 'zx_channel_read');
    return new Message(r.bytes, r.handles.map((h) => new Handle(this.process, h)));
  }

  /** zx_channel_read_etc: like read(), each handle typed (Channel, Socket, ...) with its type and rights. */
  async readEtc({ timeout } = {}) {
    await this._waitForMessage(timeout);
    const r = check(await this.process._call('channel', 'ReadEtc', {
      handle: this._value, num_bytes: C.ZX_CHANNEL_MAX_MSG_BYTES, num_handles: C.ZX_CHANNEL_MAX_MSG_HANDLES,
    }), 'zx_channel_read_etc');
    return new Message(r.bytes, r.handles.map((i) => wrap(this.process, i)));
  }
}

/** One end of a socket. */
class Socket extends Handle {
  /** zx_socket_write: resolves with the bytes written (a stream write may be short). */
  async write(data, options = 0) {
    return check(await this.process._call('socket', 'Write', { handle: this._value, options, buffer: toBytes(data) }),
      'zx_socket_write').actual;
  }

  /** zx_socket_read of at most `maxBytes`. With `timeout` (ms; Infinity: forever), first waits for READABLE or PEER_CLOSED. */
  async read(maxBytes = 65536, { options = 0, timeout } = {}) {
    if (timeout !== undefined) await this.waitOne(C.ZX_SOCKET_READABLE | C.ZX_SOCKET_PEER_CLOSED, { timeout });
    return check(await this.process._call('socket', 'Read', { handle: this._value, options, buffer_size: maxBytes }),
      'zx_socket_read').buffer;
  }

  async shutdown(options) {
    check(await this.process._call('socket', 'Shutdown', { handle: this._value, options }), 'zx_socket_shutdown');
  }

  /** WSADuplicateSocket: a one-time ProtocolInfo for process `processId`; send `info.toBytes()` over any IPC. */
  async duplicateFor(processId) {
    const r = check(await this.process._call('socket', 'DuplicateForProcess', {
      handle: this._value, process_id: processId.toString(),
    }), 'socket_duplicate_for_process');
    return new ProtocolInfo(r.protocol_info);
  }
}

/** A handle to another process: start it, wait for it, kill it. */
class ProcessHandle extends Handle {
  /** zx_process_start: moves `arg1` (typically a bootstrap channel end) into the child. */
  async start(arg1 = null) {
    const v = arg1 ? arg1.release() : 0;
    check(await this.process._call('process', 'Start', { handle: this._value, arg1: v }), 'zx_process_start');
  }

  async kill() {
    check(await this.process._call('task', 'Kill', { handle: this._value }), 'zx_task_kill');
  }

  async waitTerminated(opts) {
    return this.waitOne(C.ZX_TASK_TERMINATED, opts);
  }
}

// ---- protocol info --------------------------------------------------------------------------------------------

// proto-loader exposes serializers per method, not per message. A ProtocolInfo is field 1 of
// SocketCreateFromProtocolInfoRequest and field 2 of SocketDuplicateForProcessReply, so its own wire bytes are
// those messages' bytes after one tag and one length.
const socketService = v1.Socket.service;

function lengthPrefix(tag, body) {
  const len = [];
  let n = body.length;
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    len.push(b);
  } while (n);
  return Buffer.concat([Buffer.from([tag, ...len]), body]);
}

/** WSAPROTOCOL_INFO, zxd style: pass `toBytes()` to the target over any IPC; its `token` is a secret. */
class ProtocolInfo {
  constructor(fields) {
    this.fields = fields;
  }

  static fromBytes(bytes) {
    const reply = socketService.DuplicateForProcess.responseDeserialize(lengthPrefix(0x12, Buffer.from(bytes)));
    return new ProtocolInfo(reply.protocol_info);
  }

  toBytes() {
    const req = socketService.CreateFromProtocolInfo.requestSerialize({ protocol_info: this.fields });
    // Skip the tag (0x0a) and the varint length.
    let i = 1;
    while (req[i] & 0x80) i++;
    return req.subarray(i + 1);
  }

  get sourceProcessId() { return BigInt(this.fields.source_process_id); }

  get targetProcessId() { return BigInt(this.fields.target_process_id); }

  get socketKoid() { return BigInt(this.fields.socket_koid); }

  get rights() { return this.fields.rights; }

  get options() { return this.fields.options; }

  toString() {
    return `ProtocolInfo(socket ${this.socketKoid} from process ${this.sourceProcessId} for ${this.targetProcessId})`;
  }
}

// ---- processes ------------------------------------------------------------------------------------------------

function unary(client, method, request, metadata) {
  return new Promise((resolve, reject) => {
    client[method](request, metadata, (err, reply) => (err ? reject(err) : resolve(reply)));
  });
}

function clients(target) {
  const t = target || process.env.ZXD_TARGET || DEFAULT_TARGET;
  const creds = grpc.credentials.createInsecure();
  const opts = { 'grpc.max_receive_message_length': 8 << 20 };
  // One HTTP/2 connection shared by every service's client.
  const transport = new grpc.Channel(t, creds, opts);
  const mk = (Service) => new Service(t, creds, { ...opts, channelOverride: transport });
  return {
    transport,
    handle: mk(v1.Handle),
    object: mk(v1.Object),
    channel: mk(v1.Channel),
    socket: mk(v1.Socket),
    event: mk(v1.Event),
    eventpair: mk(v1.EventPair),
    port: mk(v1.Port),
    process: mk(v1.Process),
    task: mk(v1.Task),
    clock: mk(v1.Clock),
  };
}

function nowNanos() {
  return process.hrtime.bigint();
}

/**
 * Being one process of the simulated system: the session token on every call and a KeepAlive stream held open
 * while the process lives. `await proc.exit(code)` (or `close()`) ends it and closes the connection.
 */
class Process {
  constructor(stubs, token) {
    this._stubs = stubs;
    this.sessionToken = token;
    this._metadata = new grpc.Metadata();
    this._metadata.set(SESSION_KEY, token);
    this._exited = false;
    this._dead = false;
    this.returnCode = null;
    this.koid = null;
    this.terminated = new Promise((resolve) => { this._resolveTerminated = resolve; });
  }

  /** Process/Create without a session: a new top-level process (already started). */
  static async create(name, { target } = {}) {
    const stubs = clients(target);
    try {
      const r = check(await unary(stubs.process, 'Create', { name }, new grpc.Metadata()), 'zx_process_create');
      return await Process._join(stubs, r.session_token);
    } catch (e) {
      stubs.transport.close();
      throw e;
    }
  }

  /** Becomes a process another process created (its parent handed this client the token). */
  static async attach(token, { target } = {}) {
    const stubs = clients(target);
    try {
      return await Process._join(stubs, token);
    } catch (e) {
      stubs.transport.close();
      throw e;
    }
  }

  /**
   * The launch convention: a launcher starts the OS process with ZXD_TARGET (the daemon's address) and
   * ZXD_SESSION (the child's token) in its environment.
   */
  static async fromEnv() {
    const token = process.env.ZXD_SESSION;
    if (!token) throw new Error('zxd: ZXD_SESSION is not set; this program must be launched by a zxd process');
    return Process.attach(token, { target: process.env.ZXD_TARGET });
  }

  static async _join(stubs, token) {
    const p = new Process(stubs, token);
    await p._measureClock();
    await p._openKeepAlive();
    return p;
  }

  async _measureClock() {
    const before = nowNanos();
    const r = await unary(this._stubs.clock, 'GetMonotonic', {}, new grpc.Metadata());
    const after = nowNanos();
    this._clockOffset = BigInt(r.time) - (before + after) / 2n;
  }

  _openKeepAlive() {
    return new Promise((resolve, reject) => {
      const call = this._stubs.process.KeepAlive({}, this._metadata);
      this._keepAlive = call;
      let first = true;
      call.on('data', (r) => {
        if (first) {
          first = false;
          this.koid = BigInt(r.process_id);
          this.gracePeriodNanos = BigInt(r.grace_period);
          resolve();
        }
        if (r.terminated) {
          this._dead = true;
          this.returnCode = Number(r.return_code);
          this._resolveTerminated(this.returnCode);
        }
      });
      call.on('error', (err) => {
        if (first) {
          first = false;
          reject(err);
        }
        // CANCELLED after our own exit; anything else means the daemon or the connection went away.
        if (err.code !== grpc.status.CANCELLED) this.keepAliveError = err;
      });
      call.on('end', () => {
        if (first) {
          first = false;
          reject(new Error('zxd: the KeepAlive stream ended at once'));
        }
        if (this._exited || this._dead) this._resolveTerminated(this.returnCode);
      });
    });
  }

  /** One syscall RPC with this process's session, e.g. `_call('channel', 'Read', {...})`. */
  _call(service, method, request) {
    return unary(this._stubs[service], method, request, this._metadata);
  }

  /** The raw generated clients (grpc-js), for code that prefers status values; pass `sessionMetadata`. */
  get clients() {
    const { transport, ...clients } = this._stubs;
    return clients;
  }

  get sessionMetadata() {
    return this._metadata;
  }

  get alive() {
    return !this._dead && !this._exited;
  }

  /** The daemon's monotonic clock now (BigInt ns), estimated locally. */
  now() {
    return nowNanos() + this._clockOffset;
  }

  /** zx_deadline_after: `ms` milliseconds from now on the daemon's clock (BigInt ns). */
  deadlineAfter(ms) {
    if (!Number.isFinite(ms)) return C.ZX_TIME_INFINITE;
    const d = this.now() + BigInt(Math.round(ms * 1e6));
    return d > C.ZX_TIME_INFINITE ? C.ZX_TIME_INFINITE : d;
  }

  /** Process/Attach: resolves once this process is started, with arg1 (the handle from Process/Start). */
  async startupInfo() {
    const r = check(await this._call('process', 'Attach', {}), 'process_attach');
    return { processId: BigInt(r.process_id), name: r.name, arg1: r.arg1 ? new Handle(this, r.arg1) : null };
  }

  handle(value) {
    return new Handle(this, value);
  }

  /** zx_channel_create: [end0, end1]. */
  async createChannel() {
    const r = check(await this._call('channel', 'Create', {}), 'zx_channel_create');
    return [new Channel(this, r.out0), new Channel(this, r.out1)];
  }

  /** zx_socket_create: [end0, end1]. */
  async createSocket(options = 0) {
    const r = check(await this._call('socket', 'Create', { options }), 'zx_socket_create');
    return [new Socket(this, r.out0), new Socket(this, r.out1)];
  }

  async createEvent() {
    const r = check(await this._call('event', 'Create', {}), 'zx_event_create');
    return new Event(this, r.out);
  }

  /** zx_process_create from inside this process: {handle, processId, sessionToken} of a child not yet started. */
  async createChild(name) {
    const r = check(await this._call('process', 'Create', { name }), 'zx_process_create');
    return { handle: new ProcessHandle(this, r.proc_handle), processId: BigInt(r.process_id), sessionToken: r.session_token };
  }

  /** WSASocket(FROM_PROTOCOL_INFO): redeems a token addressed to this process (ProtocolInfo or its bytes), once. */
  async socketFromProtocolInfo(info) {
    const pi = info instanceof ProtocolInfo ? info : ProtocolInfo.fromBytes(info);
    const r = check(await this._call('socket', 'CreateFromProtocolInfo', { protocol_info: pi.fields }),
      'socket_create_from_protocol_info');
    return new Socket(this, r.out);
  }

  /** zx_process_exit: every handle this process holds is closed (peers see PEER_CLOSED); the connection closes. */
  async exit(retcode = 0) {
    if (this._exited) return;
    this._exited = true;
    try {
      if (!this._dead) {
        try {
          await this._call('process', 'Exit', { retcode: String(retcode) });
        } catch (e) {
          if (e.code !== grpc.status.UNAUTHENTICATED) throw e; // UNAUTHENTICATED: already dead
        }
      }
    } finally {
      this._keepAlive.cancel();
      this._resolveTerminated(this.returnCode);
      this._stubs.transport.close();
    }
  }

  close() {
    return this.exit(0);
  }

  /** Drops the KeepAlive stream without exiting, as a crashed client would (tests of the grace period). */
  abandon() {
    this._keepAlive.cancel();
  }
}

module.exports = {
  C,
  DEFAULT_TARGET,
  Channel,
  Disposition,
  Event,
  Handle,
  Message,
  Process,
  ProcessHandle,
  ProtocolInfo,
  Socket,
  WriteEtcError,
  ZxError,
  duplicate,
  move,
  statusName,
  proto: v1,
  definition,
};
