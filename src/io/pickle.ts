// A safe unpickler for the subset of the pickle format that torch.save writes
// (protocols 2 to 5, plus the protocol-0 text forms of ints, floats and memo ops).
//
// Pickle is a small stack machine: each opcode pushes a value, builds a container
// from values above a MARK, stores to / loads from the memo, or calls a global.
// Here globals are resolved only through an allowlist (pickle-globals.ts) and
// "calls" run TypeScript stand-ins, so no code from the file is ever executed.
//
// Python values come out as:
//   None → null, bool → boolean, float → number, str → string,
//   int → number when |v| <= 2^53 - 1, otherwise bigint,
//   bytes / bytearray → Uint8Array, list → array, tuple → frozen array (Object.isFrozen),
//   dict / OrderedDict → Map (insertion order kept; keys may be strings, numbers, ...),
//   set / frozenset → Set, torch dtype globals (torch.float32) → their name ('float32'),
//   numpy scalars → number (bigint beyond 2^53, boolean for numpy.bool_).
// Attribute state given to a dict through BUILD (e.g. a state_dict's `_metadata`) is ignored.

import { bigToNumber, describe, isBuildable, PyGlobal, resolveGlobal, type GlobalContext } from './pickle-globals.js';

export { PyGlobal, NumpyDType, type GlobalContext } from './pickle-globals.js';

export interface UnpickleOptions extends GlobalContext {
  /** Resolves persistent ids (PERSID / BINPERSID); torch uses them for tensor storages. */
  persistentLoad?: (pid: unknown) => unknown;
}

/** Unpickles one pickle starting at `offset`; returns the value and the offset just past STOP. */
export function unpickleAt(data: Uint8Array, offset: number, options: UnpickleOptions): { value: unknown; end: number } {
  return new Unpickler(data, offset, options).run();
}

/** Unpickles the single pickle held in `data`. */
export function unpickle(data: Uint8Array, options: UnpickleOptions): unknown {
  return unpickleAt(data, 0, options).value;
}

const utf8 = new TextDecoder('utf-8');

class Unpickler {
  private readonly dv: DataView;
  private pos: number;
  private stack: unknown[] = [];
  private readonly metastack: unknown[][] = [];
  private readonly memo = new Map<number, unknown>();

  private readonly data: Uint8Array;

  constructor(
    data: Uint8Array,
    offset: number,
    private readonly opts: UnpickleOptions,
  ) {
    // a plain view, so that slice() copies even when given a Node Buffer
    this.data = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.pos = offset;
  }

  run(): { value: unknown; end: number } {
    for (;;) {
      const at = this.pos;
      const op = this.u8();
      if (op === 0x2e /* STOP */) {
        if (this.stack.length === 0) this.fail('STOP with an empty stack');
        return { value: this.stack.pop(), end: this.pos };
      }
      try {
        this.step(op);
      } catch (err) {
        const msg = (err as Error).message;
        if (msg.startsWith(this.opts.fileName + ':')) throw err;
        throw new Error(`${this.opts.fileName}: ${msg} (pickle opcode 0x${op.toString(16)} at byte ${at})`);
      }
    }
  }

  private step(op: number): void {
    switch (op) {
      case 0x80:
        this.u8();
        return; // PROTO n
      case 0x95:
        this.skip(8);
        return; // FRAME: length of the next frame, advisory only
      case 0x28:
        this.metastack.push(this.stack);
        this.stack = [];
        return; // MARK
      case 0x30:
        this.pop();
        return; // POP
      case 0x31:
        this.popMark();
        return; // POP_MARK
      case 0x32:
        this.push(this.top());
        return; // DUP
      // memo
      case 0x70:
        this.memo.set(Number(this.line()), this.top());
        return; // PUT
      case 0x71:
        this.memo.set(this.u8(), this.top());
        return; // BINPUT
      case 0x72:
        this.memo.set(this.u32(), this.top());
        return; // LONG_BINPUT
      case 0x94:
        this.memo.set(this.memo.size, this.top());
        return; // MEMOIZE
      case 0x67:
        this.push(this.memoGet(Number(this.line())));
        return; // GET
      case 0x68:
        this.push(this.memoGet(this.u8()));
        return; // BINGET
      case 0x6a:
        this.push(this.memoGet(this.u32()));
        return; // LONG_BINGET
      // constants and numbers
      case 0x4e:
        this.push(null);
        return; // NONE
      case 0x88:
        this.push(true);
        return; // NEWTRUE
      case 0x89:
        this.push(false);
        return; // NEWFALSE
      case 0x49:
        this.push(this.textInt(this.line()));
        return; // INT
      case 0x4c:
        this.push(this.textInt(this.line().replace(/L$/, '')));
        return; // LONG
      case 0x4a:
        this.push(this.dv.getInt32(this.take(4), true));
        return; // BININT
      case 0x4b:
        this.push(this.u8());
        return; // BININT1
      case 0x4d:
        this.push(this.dv.getUint16(this.take(2), true));
        return; // BININT2
      case 0x8a:
        this.push(this.longBytes(this.u8()));
        return; // LONG1
      case 0x8b:
        this.push(this.longBytes(this.dv.getInt32(this.take(4), true)));
        return; // LONG4
      case 0x47:
        this.push(this.dv.getFloat64(this.take(8), false));
        return; // BINFLOAT (big-endian)
      case 0x46:
        this.push(this.textFloat(this.line()));
        return; // FLOAT
      // strings and bytes
      case 0x58:
        this.push(this.text(this.u32()));
        return; // BINUNICODE
      case 0x8c:
        this.push(this.text(this.u8()));
        return; // SHORT_BINUNICODE
      case 0x8d:
        this.push(this.text(this.u64()));
        return; // BINUNICODE8
      case 0x54:
        this.push(this.text(this.dv.getInt32(this.take(4), true)));
        return; // BINSTRING
      case 0x55:
        this.push(this.text(this.u8()));
        return; // SHORT_BINSTRING
      case 0x42:
        this.push(this.bytes(this.u32()));
        return; // BINBYTES
      case 0x43:
        this.push(this.bytes(this.u8()));
        return; // SHORT_BINBYTES
      case 0x8e:
        this.push(this.bytes(this.u64()));
        return; // BINBYTES8
      case 0x96:
        this.push(this.bytes(this.u64()));
        return; // BYTEARRAY8
      // tuples
      case 0x29:
        this.push(Object.freeze([]));
        return; // EMPTY_TUPLE
      case 0x74:
        this.push(Object.freeze(this.popMark()));
        return; // TUPLE
      case 0x85:
        this.push(Object.freeze(this.popN(1)));
        return; // TUPLE1
      case 0x86:
        this.push(Object.freeze(this.popN(2)));
        return; // TUPLE2
      case 0x87:
        this.push(Object.freeze(this.popN(3)));
        return; // TUPLE3
      // lists
      case 0x5d:
        this.push([]);
        return; // EMPTY_LIST
      case 0x6c:
        this.push(this.popMark());
        return; // LIST
      case 0x61: {
        const v = this.pop();
        this.list(this.top()).push(v);
        return;
      } // APPEND
      case 0x65: {
        const vs = this.popMark();
        this.list(this.top()).push(...vs);
        return;
      } // APPENDS
      // dicts
      case 0x7d:
        this.push(new Map());
        return; // EMPTY_DICT
      case 0x64: {
        const m = new Map();
        this.setItems(m, this.popMark());
        this.push(m);
        return;
      } // DICT
      case 0x73: {
        const [k, v] = this.popN(2);
        this.dict(this.top()).set(k, v);
        return;
      } // SETITEM
      case 0x75: {
        const kv = this.popMark();
        this.setItems(this.dict(this.top()), kv);
        return;
      } // SETITEMS
      // sets
      case 0x8f:
        this.push(new Set());
        return; // EMPTY_SET
      case 0x90: {
        const vs = this.popMark();
        const s = this.set(this.top());
        for (const v of vs) s.add(v);
        return;
      } // ADDITEMS
      case 0x91:
        this.push(new Set(this.popMark()));
        return; // FROZENSET
      // globals and object construction
      case 0x63: {
        const module = this.line();
        const name = this.line();
        this.push(resolveGlobal(module, name, this.opts));
        return;
      } // GLOBAL
      case 0x93: {
        const [m, n] = this.popN(2);
        this.push(resolveGlobal(this.str(m), this.str(n), this.opts));
        return;
      } // STACK_GLOBAL
      case 0x52: {
        const args = this.pop();
        const f = this.pop();
        this.push(this.call(f, args));
        return;
      } // REDUCE
      case 0x81: {
        const args = this.pop();
        const cls = this.pop();
        this.push(this.call(cls, args));
        return;
      } // NEWOBJ
      case 0x92: {
        // NEWOBJ_EX
        const [cls, args, kwargs] = this.popN(3);
        if (!(kwargs instanceof Map) || kwargs.size > 0) this.fail('keyword arguments to a constructor are not supported');
        this.push(this.call(cls, args));
        return;
      }
      case 0x62: {
        const state = this.pop();
        this.build(this.top(), state);
        return;
      } // BUILD
      case 0x51:
        this.push(this.persistent(this.pop()));
        return; // BINPERSID
      case 0x50:
        this.push(this.persistent(this.line()));
        return; // PERSID
      default:
        this.fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} (not written by torch.save)`);
    }
  }

  // ---- stack helpers ----

  private push(v: unknown): void {
    this.stack.push(v);
  }

  private pop(): unknown {
    if (this.stack.length === 0) this.fail('stack underflow (corrupt pickle)');
    return this.stack.pop();
  }

  private top(): unknown {
    if (this.stack.length === 0) this.fail('stack underflow (corrupt pickle)');
    return this.stack[this.stack.length - 1];
  }

  private popN(n: number): unknown[] {
    if (this.stack.length < n) this.fail('stack underflow (corrupt pickle)');
    return this.stack.splice(this.stack.length - n, n);
  }

  /** Everything pushed since the last MARK, restoring the stack below it. */
  private popMark(): unknown[] {
    const items = this.stack;
    const below = this.metastack.pop();
    if (below === undefined) this.fail('MARK expected but not found (corrupt pickle)');
    this.stack = below;
    return items;
  }

  private memoGet(i: number): unknown {
    if (!this.memo.has(i)) this.fail(`memo entry ${i} is missing (corrupt pickle)`);
    return this.memo.get(i);
  }

  private list(x: unknown): unknown[] {
    if (!Array.isArray(x) || Object.isFrozen(x)) this.fail(`cannot append to ${describe(x)}`);
    return x;
  }

  private dict(x: unknown): Map<unknown, unknown> {
    if (!(x instanceof Map)) this.fail(`cannot set items on ${describe(x)}`);
    return x;
  }

  private set(x: unknown): Set<unknown> {
    if (!(x instanceof Set)) this.fail(`cannot add items to ${describe(x)}`);
    return x;
  }

  private setItems(m: Map<unknown, unknown>, kv: unknown[]): void {
    if (kv.length % 2 !== 0) this.fail('odd number of items for a dict');
    for (let i = 0; i < kv.length; i += 2) m.set(kv[i], kv[i + 1]);
  }

  private str(x: unknown): string {
    if (typeof x !== 'string') this.fail(`expected a string, got ${describe(x)}`);
    return x;
  }

  // ---- calls, BUILD and persistent ids ----

  private call(f: unknown, args: unknown): unknown {
    if (!(f instanceof PyGlobal)) this.fail(`cannot call ${describe(f)}`);
    if (!f.impl) this.fail(`'${f.qualname}' cannot be called here`);
    if (!Array.isArray(args)) this.fail(`arguments to '${f.qualname}' must be a tuple`);
    return f.impl(args, this.opts);
  }

  private build(obj: unknown, state: unknown): void {
    if (isBuildable(obj)) obj.setState(state, this.opts);
    else if (obj instanceof Map)
      return; // attributes of a dict subclass (e.g. _metadata): not needed
    else this.fail(`cannot apply state to ${describe(obj)}`);
  }

  private persistent(pid: unknown): unknown {
    if (!this.opts.persistentLoad) this.fail('the pickle refers to external data (persistent id) but none is available');
    return this.opts.persistentLoad(pid);
  }

  // ---- reading primitives ----

  private take(n: number): number {
    if (n < 0 || this.pos + n > this.data.length) this.fail('unexpected end of data (truncated pickle)');
    const at = this.pos;
    this.pos += n;
    return at;
  }

  private skip(n: number): void {
    this.take(n);
  }

  private u8(): number {
    return this.data[this.take(1)]!;
  }

  private u32(): number {
    return this.dv.getUint32(this.take(4), true);
  }

  private u64(): number {
    const v = this.dv.getBigUint64(this.take(8), true);
    if (v > BigInt(this.data.length)) this.fail('length runs past the end of the data (truncated pickle)');
    return Number(v);
  }

  private bytes(n: number): Uint8Array {
    const at = this.take(n);
    return this.data.slice(at, at + n);
  }

  private text(n: number): string {
    const at = this.take(n);
    return utf8.decode(this.data.subarray(at, at + n));
  }

  /** A newline-terminated ASCII argument (protocol-0 style opcodes). */
  private line(): string {
    const end = this.data.indexOf(0x0a, this.pos);
    if (end < 0) this.fail('unexpected end of data (truncated pickle)');
    const s = utf8.decode(this.data.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }

  private textInt(s: string): number | bigint | boolean {
    if (s === '01') return true;
    if (s === '00') return false;
    if (!/^[+-]?\d+$/.test(s)) this.fail(`invalid integer literal '${s}'`);
    return bigToNumber(BigInt(s));
  }

  private textFloat(s: string): number {
    const t = s.trim().toLowerCase();
    if (/^[+-]?nan$/.test(t)) return NaN;
    if (/^[+-]?inf$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
    const v = Number(t);
    if (t === '' || Number.isNaN(v)) this.fail(`invalid float literal '${s}'`);
    return v;
  }

  /** Little-endian two's-complement integer of n bytes (LONG1 / LONG4). */
  private longBytes(n: number): number | bigint {
    const at = this.take(n);
    if (n === 0) return 0;
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.data[at + i]!);
    if (this.data[at + n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
    return bigToNumber(v);
  }

  private fail(problem: string): never {
    throw new Error(`${this.opts.fileName}: ${problem}`);
  }
}
