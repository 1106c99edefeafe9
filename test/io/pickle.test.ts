import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unpickle, unpickleAt, PyGlobal } from '../../src/io/pickle.js';

// compiled to dist/test/io/, so the repository root is three levels up
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const fixture = (name: string): string => path.join(ROOT, 'test', 'fixtures', 'pth', name);

/** Concatenates opcode bytes: numbers are single bytes, strings are UTF-8. */
function pk(...parts: (number | string | Uint8Array | number[])[]): Uint8Array {
  const chunks = parts.map((p) =>
    typeof p === 'number' ? Uint8Array.of(p) : typeof p === 'string' ? new TextEncoder().encode(p) : Uint8Array.from(p),
  );
  return Uint8Array.from(chunks.flatMap((c) => [...c]));
}
const le = (n: number, bytes: number): number[] => Array.from({ length: bytes }, (_, i) => Number((BigInt(n) >> BigInt(8 * i)) & 0xffn));
const unicode = (s: string): (number | number[] | string)[] => [0x58, le(new TextEncoder().encode(s).length, 4), s];

const opts = { fileName: 'test.pkl' };
const load = (...parts: (number | string | Uint8Array | number[])[]): unknown => unpickle(pk(...parts), opts);

describe('plain pickles written by Python', () => {
  for (const proto of [2, 3, 4, 5]) {
    test(`protocol ${proto}`, () => {
      const v = unpickle(fs.readFileSync(fixture(`plain_p${proto}.pkl`)), { fileName: `plain_p${proto}.pkl` });
      assert.ok(v instanceof Map);
      const g = (k: string): unknown => v.get(k);
      assert.equal(g('none'), null);
      assert.equal(g('true'), true);
      assert.equal(g('false'), false);
      assert.equal(g('small'), 7);
      assert.equal(g('neg'), -5);
      assert.equal(g('int16'), 40000);
      assert.equal(g('int32'), -100000);
      assert.equal(g('big53'), 2n ** 53n + 1n);
      assert.equal(g('big70'), 2n ** 70n);
      assert.equal(g('negbig'), -(2n ** 63n));
      assert.equal(g('float'), 1.5);
      assert.equal(g('negf'), -0.1);
      assert.equal(g('str'), 'h\u00e9llo \u2713');
      assert.equal(g('empty'), '');
      assert.equal(g('long_str'), 'x'.repeat(300));
      assert.deepEqual(g('bytes'), Uint8Array.of(0, 1, 255));
      assert.deepEqual(
        g('long_bytes'),
        Uint8Array.from({ length: 256 }, (_, i) => i),
      );
      assert.deepEqual(g('bytearray'), Uint8Array.of(97, 98));
      for (const [k, want] of [
        ['tuple0', []],
        ['tuple1', [1]],
        ['tuple2', [1, 'a']],
        ['tuple3', [1, 2, 3]],
        ['tuple5', [1, 2, 3, 4, 5]],
      ] as const) {
        assert.deepEqual(g(k), want);
        assert.ok(Object.isFrozen(g(k)), `${k} is a tuple`);
      }
      assert.deepEqual(g('list'), [1, [2, 3], new Map([['k', 'v']])]);
      assert.ok(!Object.isFrozen(g('list')));
      assert.deepEqual(g('set'), new Set([1, 2, 3]));
      assert.deepEqual(g('frozenset'), new Set(['a']));
      assert.deepEqual(
        g('intkeys'),
        new Map([
          [0, 'zero'],
          [1, 'one'],
        ]),
      );
      assert.deepEqual(
        [...(g('od') as Map<string, number>).entries()],
        [
          ['b', 1],
          ['a', 2],
        ],
      );
      assert.equal(g('shared1'), g('shared2'), 'memoised objects keep their identity');
      assert.deepEqual(
        g('biglist'),
        Array.from({ length: 1001 }, (_, i) => i % 200),
      );
      const bigdict = g('bigdict') as Map<number, null>;
      assert.equal(bigdict.size, 1001);
      assert.equal(bigdict.get(1000), null);
    });
  }
});

describe('hand-written opcodes', () => {
  test('text forms of ints, longs, floats and memo ops', () => {
    assert.deepEqual(load(0x28, 'I12\n', 'I01\n', 'I00\n', 'L-99999999999999999999L\n', 'F2.5\n', 'Finf\n', 't', '.'), [
      12,
      true,
      false,
      -99999999999999999999n,
      2.5,
      Infinity,
    ]);
    assert.deepEqual(load(']', 'p7\n', '0', 'g7\n', '.'), []);
  });

  test('binary ints of every width', () => {
    assert.deepEqual(
      load(0x28, 'J', le(-2, 4), 'K', 255, 'M', le(65535, 2), 0x8a, 0, 0x8a, 1, 0xff, 0x8a, 2, 0x00, 0x80, 't', '.'),
      [-2, 255, 65535, 0, -1, -32768],
    );
    assert.equal(load(0x8b, le(9, 4), le(0, 8), 1, '.'), 2n ** 64n);
    assert.equal(load(0x8a, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00, '.'), Number.MAX_SAFE_INTEGER);
    assert.equal(load('G', [0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18], '.'), 3.141592653589793);
  });

  test('all string and bytes opcodes', () => {
    const v = load(
      0x28,
      'T',
      le(3, 4),
      'abc',
      'U',
      2,
      'hi',
      0x8c,
      1,
      'z',
      0x8d,
      le(2, 8),
      'ok',
      ...unicode('\u00e9'),
      'B',
      le(2, 4),
      [1, 2],
      'C',
      1,
      [3],
      0x8e,
      le(1, 8),
      [4],
      0x96,
      le(2, 8),
      [5, 6],
      't',
      '.',
    );
    assert.deepEqual(v, ['abc', 'hi', 'z', 'ok', '\u00e9', Uint8Array.of(1, 2), Uint8Array.of(3), Uint8Array.of(4), Uint8Array.of(5, 6)]);
  });

  test('containers, stack and memo opcodes', () => {
    // PROTO 4, FRAME; [1, 2] MEMOIZE DUP POP; MARK 9 POP_MARK; {'a': 1}; TUPLE2;
    // frozenset({3}); set() + ADDITEMS 4; BINGET 0; TUPLE3; TUPLE2
    const v = load(
      0x80,
      4,
      0x95,
      le(0, 8),
      0x28,
      'K',
      1,
      'K',
      2,
      'l',
      0x94,
      '2',
      '0',
      0x28,
      'K',
      9,
      '1',
      0x28,
      0x8c,
      1,
      'a',
      'K',
      1,
      'd',
      0x86,
      0x28,
      'K',
      3,
      0x91,
      0x8f,
      0x28,
      'K',
      4,
      0x90,
      'h',
      0,
      0x87,
      0x86,
      '.',
    );
    const [first, second] = v as [unknown[], unknown[]];
    assert.deepEqual(first, [[1, 2], new Map([['a', 1]])]);
    assert.deepEqual(second, [new Set([3]), new Set([4]), [1, 2]]);
    assert.equal(second[2], first[0], 'BINGET returns the memoised list itself');
    assert.deepEqual(load(')', 0x85, '.'), [[]]);
  });

  test('APPEND, APPENDS, SETITEM, SETITEMS, LONG_BINPUT / LONG_BINGET', () => {
    const v = load(
      ']',
      'r',
      le(5, 4),
      'K',
      1,
      'a',
      0x28,
      'K',
      2,
      'K',
      3,
      'e',
      '}',
      0x8c,
      1,
      'x',
      'j',
      le(5, 4),
      's',
      0x28,
      0x8c,
      1,
      'y',
      'N',
      'u',
      0x86,
      '.',
    );
    assert.deepEqual(v, [
      [1, 2, 3],
      new Map<string, unknown>([
        ['x', [1, 2, 3]],
        ['y', null],
      ]),
    ]);
  });

  test('persistent ids go to the loader', () => {
    const seen: unknown[] = [];
    const persistentLoad = (pid: unknown): unknown => {
      seen.push(pid);
      return `loaded:${String(Array.isArray(pid) ? pid[0] : pid)}`;
    };
    const v = unpickle(pk(0x28, 0x8c, 1, 'k', 0x85, 'Q', 'P', 'abc\n', 't', '.'), { ...opts, persistentLoad });
    assert.deepEqual(v, ['loaded:k', 'loaded:abc']);
    assert.deepEqual(seen, [['k'], 'abc']);
  });

  test('allowed globals: OrderedDict, set, torch dtypes, storage types, _codecs.encode', () => {
    assert.deepEqual(load('ccollections\nOrderedDict\n', ')', 'R', '.'), new Map());
    assert.deepEqual(load('c__builtin__\nset\n', ']', 'K', 1, 'a', 0x85, 'R', '.'), new Set([1]));
    assert.equal(load('ctorch\nfloat32\n', '.'), 'float32');
    assert.equal(load('ctorch\nhalf\n', '.'), 'float16');
    const st = load('ctorch\nBFloat16Storage\n', '.');
    assert.ok(st instanceof PyGlobal && st.storageDType === 'bfloat16');
    assert.deepEqual(load('c_codecs\nencode\n', ...unicode('\u00ff\u0001'), ...unicode('latin1'), 0x86, 'R', '.'), Uint8Array.of(255, 1));
    assert.deepEqual(load(0x8c, 11, 'collections', 0x8c, 11, 'OrderedDict', 0x93, ')', 0x81, '.'), new Map());
    assert.deepEqual(load(0x8c, 11, 'collections', 0x8c, 11, 'OrderedDict', 0x93, ')', '}', 0x92, '.'), new Map());
  });

  test('BUILD on a dict ignores attribute state (state_dict _metadata)', () => {
    const v = load('ccollections\nOrderedDict\n', ')', 'R', 0x28, 0x8c, 1, 'w', 'K', 1, 'u', '}', 'b', '.');
    assert.deepEqual(v, new Map([['w', 1]]));
  });

  test('unpickleAt reports where the pickle ends', () => {
    const data = pk('K', 1, '.', 'K', 2, '.');
    const a = unpickleAt(data, 0, opts);
    assert.deepEqual(a, { value: 1, end: 3 });
    assert.deepEqual(unpickleAt(data, a.end, opts), { value: 2, end: 6 });
  });
});

describe('refusals and corrupt input', () => {
  const refused = (module: string, name: string, data: Uint8Array): void => {
    assert.throws(
      () => unpickle(data, { fileName: 'evil.pkl' }),
      (err: Error) => {
        assert.match(err.message, /^evil\.pkl: /);
        assert.ok(err.message.includes(`unsupported pickle global '${module}.${name}'`), err.message);
        assert.match(err.message, /state_dict\(\)/);
        return true;
      },
    );
  };

  test('os.system via GLOBAL and via STACK_GLOBAL is refused before anything runs', () => {
    refused('os', 'system', pk(0x80, 2, 'cos\nsystem\n', ...unicode('echo pwned'), 0x85, 'R', '.'));
    refused('os', 'system', pk(0x80, 4, 0x8c, 2, 'os', 0x8c, 6, 'system', 0x93, ...unicode('echo pwned'), 0x85, 'R', '.'));
    refused('posix', 'system', pk('cposix\nsystem\n', '.'));
  });

  test('eval, exec, getattr, copyreg reconstructors and model classes are refused', () => {
    refused('builtins', 'eval', pk('cbuiltins\neval\n', '.'));
    refused('__builtin__', 'exec', pk('c__builtin__\nexec\n', '.'));
    refused('builtins', 'getattr', pk('cbuiltins\ngetattr\n', '.'));
    refused('copy_reg', '_reconstructor', pk('ccopy_reg\n_reconstructor\n', '.'));
    refused('torch.nn.modules.conv', 'Conv2d', pk('ctorch.nn.modules.conv\nConv2d\n', '.'));
    refused('torch.storage', '_load_from_bytes', pk('ctorch.storage\n_load_from_bytes\n', '.'));
  });

  test('marker types cannot be called', () => {
    assert.throws(() => load('ctorch\nFloatStorage\n', ')', 'R', '.'), /test\.pkl: 'torch\.FloatStorage' cannot be called/);
  });

  test('truncated, unknown and inconsistent pickles name the file', () => {
    assert.throws(() => load('X', le(10, 4), 'abc'), /^Error: test\.pkl: unexpected end of data/);
    assert.throws(() => load(0x80, 2, 'K'), /test\.pkl: unexpected end of data/);
    assert.throws(() => load(), /test\.pkl: unexpected end of data/);
    assert.throws(() => load('K', 1), /test\.pkl: unexpected end of data/);
    assert.throws(() => load(0xff, '.'), /test\.pkl: unsupported pickle opcode 0xff/);
    assert.throws(() => load('h', 3, '.'), /test\.pkl: memo entry 3 is missing/);
    assert.throws(() => load('.'), /test\.pkl: STOP with an empty stack/);
    assert.throws(() => load('t', '.'), /test\.pkl: MARK expected/);
    assert.throws(() => load('K', 1, 'a', '.'), /test\.pkl: stack underflow|cannot append/);
    assert.throws(() => load('Q', '.'), /test\.pkl: stack underflow/);
    assert.throws(() => load('N', 'Q', '.'), /test\.pkl: .*persistent id/);
    assert.throws(() => load(0x8e, le(2 ** 40, 8), '.'), /test\.pkl: length runs past the end/);
  });
});
