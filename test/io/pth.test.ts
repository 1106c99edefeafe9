import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPth, readStateDict, stateDictFrom } from '../../src/io/pth.js';
import { rawFromNumbers, rawToFloat64Array, type RawTensor } from '../../src/io/raw-tensor.js';
import { writeSafetensors } from '../../src/io/safetensors.js';
import { openZip } from '../../src/io/zip.js';

// compiled to dist/test/io/, so the repository root is three levels up
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const fixture = (name: string): string => path.join(ROOT, 'test', 'fixtures', 'pth', name);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'b2b-pth-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface ExpectedTensor {
  dtype: string;
  shape: number[];
  values: number[];
}
interface ExpectedFixture {
  tensors: Record<string, ExpectedTensor>;
  wrapper?: string;
  extras?: Record<string, unknown>;
  exp_avg?: ExpectedTensor;
}
const expected = JSON.parse(fs.readFileSync(fixture('expected.json'), 'utf-8')) as Record<string, ExpectedFixture>;

function assertTensor(t: RawTensor | undefined, want: ExpectedTensor, name: string): void {
  assert.ok(t, `${name} is present`);
  assert.equal(t.dtype, want.dtype, `${name} dtype`);
  assert.deepEqual(t.shape, want.shape, `${name} shape`);
  assert.deepEqual(Array.from(rawToFloat64Array(t)), want.values, `${name} values`);
  assert.equal(t.data.byteOffset, 0, `${name} has its own buffer`);
}

function assertStateDict(sd: Map<string, RawTensor>, want: Record<string, ExpectedTensor>): void {
  assert.deepEqual([...sd.keys()], Object.keys(want));
  for (const [k, w] of Object.entries(want)) assertTensor(sd.get(k), w, k);
}

function writeTemp(name: string, bytes: Uint8Array): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, bytes);
  return p;
}

describe('fixtures written by torch.save', () => {
  for (const [name, want] of Object.entries(expected)) {
    test(`${name}: exact values`, () => {
      const file = fixture(name);
      assertStateDict(stateDictFrom(readPth(file), file), want.tensors);
    });
  }

  test('wrapped checkpoints keep their other entries', () => {
    const top = readPth(fixture('wrapped_model_epoch.pth'));
    assert.ok(top instanceof Map);
    assert.deepEqual([...top.keys()], ['model', 'epoch']);
    assert.equal(top.get('epoch'), 3);
    assert.ok(readPth(fixture('wrapped_params.pth')) instanceof Map);
  });

  test('training checkpoint: numpy scalars, optimizer state with int keys, tuples, torch dtype', () => {
    const want = expected['checkpoint_numpy.pth']!;
    const top = readPth(fixture('checkpoint_numpy.pth')) as Map<string, unknown>;
    for (const [k, v] of Object.entries(want.extras!)) assert.deepEqual(top.get(k), v, k);
    assert.deepEqual(top.get('flags'), [true, null]);
    assert.ok(Object.isFrozen(top.get('flags')));
    const optim = top.get('optimizer') as Map<string, unknown>;
    const state = optim.get('state') as Map<number, Map<string, unknown>>;
    assert.deepEqual([...state.keys()], [0]);
    assertTensor(state.get(0)!.get('exp_avg') as RawTensor, want.exp_avg!, 'exp_avg');
    const group = (optim.get('param_groups') as Map<string, unknown>[])[0]!;
    assert.equal(group.get('lr'), 0.001);
    assert.deepEqual(group.get('betas'), [0.9, 0.999]);
    assert.deepEqual(group.get('params'), [0]);
  });

  test('tensors sharing one storage get independent buffers', () => {
    const sd = readPth(fixture('views.pth')) as Map<string, RawTensor>;
    const full = sd.get('full')!;
    const rows = sd.get('rows')!;
    assert.notEqual(full.data.buffer, rows.data.buffer);
    full.data.fill(0);
    assert.deepEqual(Array.from(rawToFloat64Array(rows)), expected['views.pth']!.tensors['rows']!.values);
  });

  test('a pickled os.system call is refused, naming the global', () => {
    const file = fixture('malicious_os_system.pth');
    assert.throws(
      () => readPth(file),
      (err: Error) => {
        assert.ok(err.message.startsWith(`${file}: unsupported pickle global 'os.system'`), err.message);
        assert.match(err.message, /never executed/);
        return true;
      },
    );
  });

  test('a whole pickled nn.Module is refused with a state_dict() hint', () => {
    const file = fixture('whole_module.pth');
    assert.throws(
      () => readPth(file),
      (err: Error) => {
        assert.ok(err.message.startsWith(`${file}: unsupported pickle global 'torch.nn.modules.container.Sequential'`), err.message);
        assert.match(err.message, /save model\.state_dict\(\)/);
        return true;
      },
    );
  });
});

describe('hand-built legacy file with a storage view', () => {
  const enc = (s: string): number[] => [...new TextEncoder().encode(s)];
  const str = (s: string): number[] => [0x58, s.length, 0, 0, 0, ...enc(s)];
  const le = (n: number, bytes: number): number[] => Array.from({ length: bytes }, (_, i) => Number((BigInt(n) >> BigInt(8 * i)) & 0xffn));
  const rebuild = (pid: number[], offset: number, size: number, stride: number): number[] => [
    ...enc('ctorch._utils\n_rebuild_tensor_v2\n'),
    0x28,
    ...pid,
    0x51,
    0x4b,
    offset,
    0x28,
    0x4b,
    size,
    0x74,
    0x28,
    0x4b,
    stride,
    0x74,
    0x89,
    ...enc('ccollections\nOrderedDict\n'),
    0x29,
    0x52,
    0x74,
    0x52,
  ];
  // ('storage', torch.FloatStorage, 'root', 'cpu', 6, view_metadata)
  const pid = (view: number[]): number[] => [
    0x28,
    ...str('storage'),
    ...enc('ctorch\nFloatStorage\n'),
    ...str('root'),
    ...str('cpu'),
    0x4b,
    6,
    ...view,
    0x74,
  ];
  const viewMeta = [0x28, ...str('v1'), 0x4b, 2, 0x4b, 3, 0x74]; // elements 2..4 of root
  const magic = 0x1950a86a20f9469cfc6cn;
  const magicBytes = Array.from({ length: 10 }, (_, i) => Number((magic >> BigInt(8 * i)) & 0xffn));
  const file = Uint8Array.from([
    0x80,
    2,
    0x8a,
    10,
    ...magicBytes,
    0x2e,
    0x80,
    2,
    0x4d,
    ...le(1001, 2),
    0x2e,
    0x80,
    2,
    0x7d,
    0x2e,
    0x80,
    2,
    0x7d,
    ...str('a'),
    ...rebuild(pid(viewMeta), 1, 2, 1),
    0x73,
    ...str('b'),
    ...rebuild(pid([0x4e]), 0, 3, 2),
    0x73,
    0x2e,
    0x80,
    2,
    0x5d,
    ...str('root'),
    0x61,
    0x2e,
    ...le(6, 8),
    ...new Uint8Array(Float32Array.of(0, 1, 2, 3, 4, 5).buffer),
  ]);

  test('views into a root storage and strided tensors come out right', () => {
    const sd = readPth(writeTemp('legacy-view.pth', file)) as Map<string, RawTensor>;
    assert.deepEqual(Array.from(rawToFloat64Array(sd.get('a')!)), [3, 4]);
    assert.deepEqual(Array.from(rawToFloat64Array(sd.get('b')!)), [0, 2, 4]);
  });

  test('a wrong element count or missing bytes is reported', () => {
    const p = writeTemp('legacy-cut.pth', file.subarray(0, file.length - 4));
    assert.throws(() => readPth(p), new RegExp(`^Error: ${escape(p)}: storage 'root' is cut short`));
  });
});

describe('broken files name the file and the problem', () => {
  test('zero-length file', () => {
    const p = writeTemp('empty.pth', new Uint8Array(0));
    assert.throws(() => readPth(p), new RegExp(`^Error: ${escape(p)}: file is empty`));
  });

  test('random bytes', () => {
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7919 + 13) % 251);
    const p = writeTemp('random.pth', bytes);
    assert.throws(() => readPth(p), new RegExp(`^Error: ${escape(p)}: not a PyTorch checkpoint`));
    const zipLike = writeTemp('random-zip.pth', Uint8Array.from([0x50, 0x4b, 3, 4, ...bytes]));
    assert.throws(() => readPth(zipLike), new RegExp(`^Error: ${escape(zipLike)}: no end-of-central-directory record`));
  });

  test('missing file', () => {
    const p = path.join(tmp, 'nope.pth');
    assert.throws(() => readPth(p), new RegExp(`^Error: ${escape(p)}: cannot open`));
  });

  test('truncated zip and truncated legacy checkpoints', () => {
    for (const name of ['sd.pth', 'legacy.pth']) {
      const bytes = fs.readFileSync(fixture(name));
      for (const cut of [Math.floor(bytes.length / 2), bytes.length - 10]) {
        const p = writeTemp(`cut-${cut}-${name}`, bytes.subarray(0, cut));
        assert.throws(
          () => readPth(p),
          (err: Error) => err.message.startsWith(`${p}: `),
          `${name} cut at ${cut}`,
        );
      }
    }
  });

  test('a flipped byte in tensor data fails the CRC check', () => {
    const bytes = new Uint8Array(fs.readFileSync(fixture('sd.pth')));
    const zip = openZip(fixture('sd.pth'));
    const entry = zip.entries.get('sd/data/0')!;
    zip.close();
    const dv = new DataView(bytes.buffer);
    const start =
      entry.localHeaderOffset + 30 + dv.getUint16(entry.localHeaderOffset + 26, true) + dv.getUint16(entry.localHeaderOffset + 28, true);
    bytes[start + 5]! ^= 0x40;
    const p = writeTemp('flipped.pth', bytes);
    assert.throws(() => readPth(p), new RegExp(`^Error: ${escape(p)}: entry 'sd/data/0' fails its CRC check`));
  });
});

describe('stateDictFrom', () => {
  const t = (v: number): RawTensor => rawFromNumbers('float32', [1], [v]);

  test('search order: top level, then params, params_ema, state_dict, model, ...', () => {
    assert.deepEqual(
      [
        ...stateDictFrom(
          new Map<string, unknown>([
            ['w', t(1)],
            ['epoch', 3],
          ]),
          'x',
        ).keys(),
      ],
      ['w'],
    );
    const both = new Map([
      ['params_ema', new Map([['e', t(2)]])],
      ['params', new Map([['p', t(1)]])],
    ]);
    assert.deepEqual([...stateDictFrom(both, 'x').keys()], ['p']);
    const netG = new Map<string, unknown>([
      ['netG', new Map([['g', t(1)]])],
      ['iter', 5],
    ]);
    assert.deepEqual([...stateDictFrom(netG, 'x').keys()], ['g']);
    const other = new Map<string, unknown>([
      ['weights', new Map([['o', t(1)]])],
      ['optimizer', new Map()],
    ]);
    assert.deepEqual([...stateDictFrom(other, 'x').keys()], ['o']);
  });

  test('module. prefix is stripped only when every key has it', () => {
    const all = new Map([
      ['module.a', t(1)],
      ['module.b', t(2)],
    ]);
    assert.deepEqual([...stateDictFrom(all, 'x').keys()], ['a', 'b']);
    const some = new Map([
      ['module.a', t(1)],
      ['b', t(2)],
    ]);
    assert.deepEqual([...stateDictFrom(some, 'x').keys()], ['module.a', 'b']);
  });

  test('no tensors anywhere: the error lists the top-level keys', () => {
    const none = new Map<string, unknown>([
      ['epoch', 3],
      ['optimizer', new Map()],
    ]);
    assert.throws(() => stateDictFrom(none, 'ck.pth'), /^Error: ck\.pth: no state dict found; top-level keys: epoch, optimizer/);
    assert.throws(() => stateDictFrom([1, 2], 'ck.pth'), /^Error: ck\.pth: expected a dict of tensors at the top level, found a list/);
    const two = new Map([
      ['a', new Map([['x', t(1)]])],
      ['b', new Map([['y', t(1)]])],
    ]);
    assert.throws(() => stateDictFrom(two, 'ck.pth'), /ck\.pth: several dicts of tensors found \(a, b\)/);
  });

  test('readStateDict handles .pth and .safetensors', () => {
    const sd = readStateDict(fixture('module_prefix.pth'));
    assert.deepEqual([...sd.keys()], Object.keys(expected['module_prefix.pth']!.tensors));
    const p = path.join(tmp, 'sd.safetensors');
    writeSafetensors(p, sd);
    assertStateDict(readStateDict(p), Object.fromEntries(Object.entries(expected['sd.pth']!.tensors).sort(([a], [b]) => (a < b ? -1 : 1))));
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
