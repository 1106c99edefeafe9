import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readSafetensors, writeFileAtomic, writeSafetensors } from '../../src/io/safetensors.js';
import { rawFromNumbers, rawToFloat64Array, type RawTensor } from '../../src/io/raw-tensor.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'b2b-st-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
let counter = 0;
const tmpFile = (name = 'x.safetensors'): string => path.join(tmp, `${counter++}-${name}`);

/** A safetensors file from a header (object or raw JSON text) and data bytes, with no padding. */
function build(header: object | string, data: ArrayLike<number> = []): Uint8Array {
  const h = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(Uint8Array.from(data), 8 + h.length);
  return out;
}

function writeBytes(bytes: Uint8Array): string {
  const p = tmpFile();
  fs.writeFileSync(p, bytes);
  return p;
}

const f32 = (...v: number[]): number[] => [...new Uint8Array(Float32Array.from(v).buffer)];

describe('reading', () => {
  test('a hand-built file', () => {
    const header = {
      b: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      a: { dtype: 'I64', shape: [], data_offsets: [8, 16] },
      __metadata__: { format: 'pt' },
    };
    const data = [...f32(1.5, -2), ...new Uint8Array(BigInt64Array.of(-7n).buffer)];
    const { tensors, metadata } = readSafetensors(writeBytes(build(header, data)));
    assert.deepEqual(metadata, { format: 'pt' });
    assert.deepEqual([...tensors.keys()], ['b', 'a']);
    assert.deepEqual(tensors.get('b')!.shape, [2]);
    assert.deepEqual(Array.from(rawToFloat64Array(tensors.get('b')!)), [1.5, -2]);
    assert.deepEqual(tensors.get('a'), { dtype: 'int64', shape: [], data: Uint8Array.from(data.slice(8)) });
  });

  test('padded header and an empty tensor', () => {
    const header = JSON.stringify({
      e: { dtype: 'BF16', shape: [0, 4], data_offsets: [0, 0] },
      u: { dtype: 'U8', shape: [1], data_offsets: [0, 1] },
    });
    const { tensors } = readSafetensors(writeBytes(build(header + '     ', [9])));
    assert.deepEqual(tensors.get('e'), { dtype: 'bfloat16', shape: [0, 4], data: new Uint8Array(0) });
    assert.deepEqual(tensors.get('u')!.data, Uint8Array.of(9));
  });
});

describe('writing', () => {
  test('exact bytes: sorted names, offsets from 0, header padded with spaces to 8', () => {
    const p = tmpFile();
    writeSafetensors(p, { b: rawFromNumbers('float32', [2], [1, 2]), a: rawFromNumbers('uint8', [3], [7, 8, 9]) }, { format: 'pt' });
    const json =
      '{"__metadata__":{"format":"pt"},"a":{"dtype":"U8","shape":[3],"data_offsets":[0,3]},' +
      '"b":{"dtype":"F32","shape":[2],"data_offsets":[3,11]}}';
    const padded = json + ' '.repeat((8 - (json.length % 8)) % 8);
    assert.deepEqual(new Uint8Array(fs.readFileSync(p)), build(padded, [7, 8, 9, ...f32(1, 2)]));
  });

  test('round trip of every dtype, scalars and empty tensors', () => {
    const tensors = new Map<string, RawTensor>([
      ['f32', rawFromNumbers('float32', [2, 2], [1.5, -0, 3.25e-5, 1e30])],
      ['f64', rawFromNumbers('float64', [3], [0.1, -1e300, 5e-324])],
      ['f16', rawFromNumbers('float16', [3], [65504, -0.5, 5.960464477539063e-8])],
      ['bf16', rawFromNumbers('bfloat16', [2], [3.140625, -1e-3])],
      ['i64', rawFromNumbers('int64', [2], [-(2n ** 63n), 2n ** 63n - 1n])],
      ['i32', rawFromNumbers('int32', [2], [-(2 ** 31), 2 ** 31 - 1])],
      ['i16', rawFromNumbers('int16', [1], [-32768])],
      ['i8', rawFromNumbers('int8', [1], [-128])],
      ['u8', rawFromNumbers('uint8', [1], [255])],
      ['bool', rawFromNumbers('bool', [2, 1], [1, 0])],
      ['scalar', rawFromNumbers('float32', [], [4])],
      ['empty', rawFromNumbers('int32', [3, 0], [])],
    ]);
    const p = tmpFile();
    writeSafetensors(p, tensors, { step: '12', note: 'h\u00e9' });
    assert.equal(fs.readFileSync(p).readBigUInt64LE(0) % 8n, 0n, 'data starts 8-byte aligned');
    const back = readSafetensors(p);
    assert.deepEqual(back.metadata, { step: '12', note: 'h\u00e9' });
    assert.deepEqual([...back.tensors.keys()], [...tensors.keys()].sort());
    for (const [k, t] of tensors) assert.deepEqual(back.tensors.get(k), t, k);
  });

  test('invalid tensors and names are refused before anything is written', () => {
    const p = tmpFile();
    assert.throws(() => writeSafetensors(p, { w: { dtype: 'float32', shape: [3], data: new Uint8Array(8) } }), /needs 12 bytes but has 8/);
    assert.throws(() => writeSafetensors(p, { __metadata__: rawFromNumbers('uint8', [1], [1]) }), /cannot be used as a tensor name/);
    assert.equal(fs.existsSync(p), false);
  });
});

describe('atomic writes', () => {
  const good = { w: rawFromNumbers('float32', [2], [1, 2]) };

  test('a crash before the rename leaves the previous file and no temp file', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'atomic-'));
    const p = path.join(dir, 'model.safetensors');
    writeSafetensors(p, good);
    const before = fs.readFileSync(p);
    let tempSeen = '';
    assert.throws(
      () =>
        writeFileAtomic(p, [Uint8Array.of(1, 2, 3)], {
          beforeRename: (t) => {
            tempSeen = t;
            throw new Error('simulated power cut');
          },
        }),
      new RegExp(`${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: write failed, previous file left unchanged \\(simulated power cut\\)`),
    );
    assert.equal(path.dirname(tempSeen), dir, 'temp file lives next to the target');
    assert.deepEqual(fs.readFileSync(p), before);
    assert.deepEqual(fs.readdirSync(dir), ['model.safetensors']);
    assert.deepEqual(readSafetensors(p).tensors.get('w'), good.w);
  });

  test('a half-written temp file left by a killed process does not matter', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'atomic-'));
    const p = path.join(dir, 'model.safetensors');
    writeSafetensors(p, good);
    fs.writeFileSync(path.join(dir, '.model.safetensors.4242.abc.tmp'), Uint8Array.of(8, 0, 0));
    assert.deepEqual(readSafetensors(p).tensors.get('w'), good.w);
    const next = { w: rawFromNumbers('float32', [1], [5]) };
    writeSafetensors(p, next);
    assert.deepEqual(readSafetensors(p).tensors.get('w'), next.w);
  });

  test('a failing write into a missing folder names the file', () => {
    const p = path.join(tmp, 'no-such-dir', 'm.safetensors');
    assert.throws(
      () => writeSafetensors(p, good),
      (err: Error) => err.message.startsWith(`${p}: write failed`),
    );
  });
});

describe('corrupt files name the file and the problem', () => {
  const bad = (bytes: Uint8Array, pattern: RegExp): void => {
    const p = writeBytes(bytes);
    assert.throws(
      () => readSafetensors(p),
      (err: Error) => {
        assert.ok(err.message.startsWith(`${p}: `), err.message);
        assert.match(err.message, pattern);
        return true;
      },
    );
  };
  const one = (entry: object): object => ({ x: entry });
  const ok = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };

  test('too short, zero-length, missing', () => {
    bad(new Uint8Array(0), /too short to be a safetensors file \(0 bytes\)/);
    bad(Uint8Array.of(1, 2, 3, 4), /too short/);
    const missing = path.join(tmp, 'missing.safetensors');
    assert.throws(() => readSafetensors(missing), new RegExp(`^Error: ${missing.replace(/[.]/g, '\\.')}: cannot open`));
  });

  test('header length beyond the file, random bytes, truncated file', () => {
    const valid = build(one(ok), f32(1, 2));
    bad(valid.subarray(0, 20), /header length \d+ exceeds the file size/);
    bad(
      Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) % 256),
      /exceeds the file size/,
    );
    bad(Uint8Array.from([16, 0, 0, 0, 0, 0, 0, 0, ...Array.from({ length: 24 }, (_, i) => (i * 13) % 256)]), /does not start with '\{'/);
    bad(valid.subarray(0, valid.length - 1), /run past the end of the data/);
  });

  test('broken JSON and bad entries', () => {
    bad(build('{"x": {"dtype": '), /header is not valid UTF-8 JSON/);
    bad(build('[1, 2]'), /does not start with '\{'/);
    bad(build(one({ ...ok, dtype: 'U16' }), f32(1, 2)), /tensor 'x': unsupported dtype 'U16'/);
    bad(build(one({ ...ok, dtype: 'F8_E4M3' }), f32(1, 2)), /unsupported dtype 'F8_E4M3'/);
    bad(build(one({ ...ok, shape: [3] }), f32(1, 2)), /span 8 bytes but F32 \[3\] needs 12/);
    bad(build(one({ ...ok, shape: [-2] }), f32(1, 2)), /shape must be a list of non-negative integers/);
    bad(build(one({ ...ok, data_offsets: [8, 0] }), f32(1, 2)), /end before they begin/);
    bad(build(one({ dtype: 'F32', shape: [2] }), f32(1, 2)), /data_offsets must be two non-negative integers/);
    bad(build({ __metadata__: { n: 1 }, x: ok }, f32(1, 2)), /__metadata__ value for 'n' is not a string/);
  });

  test('holes, overlaps and trailing bytes', () => {
    const u8 = (a: number, b: number): object => ({ dtype: 'U8', shape: [b - a], data_offsets: [a, b] });
    bad(build({ a: u8(0, 2), b: u8(4, 6) }, [1, 2, 3, 4, 5, 6]), /bytes 2\.\.4 of the data belong to no tensor/);
    bad(build({ a: u8(0, 4), b: u8(2, 6) }, [1, 2, 3, 4, 5, 6]), /tensor 'b' overlaps/);
    bad(build({ a: u8(0, 2) }, [1, 2, 3]), /1 trailing bytes/);
    bad(build({ a: u8(0, 4) }, [1, 2]), /run past the end of the data \(2 bytes\)/);
  });
});
