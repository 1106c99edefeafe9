import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { openZip, readZipEntries } from '../../src/io/zip.js';
import { readPth, stateDictFrom } from '../../src/io/pth.js';
import { rawToFloat64Array } from '../../src/io/raw-tensor.js';

// compiled to dist/test/io/, so the repository root is three levels up
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const fixture = (name: string): string => path.join(ROOT, 'test', 'fixtures', 'pth', name);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'b2b-zip-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

class Bytes {
  readonly b: number[] = [];
  u16(v: number): this {
    this.b.push(v & 0xff, (v >>> 8) & 0xff);
    return this;
  }
  u32(v: number): this {
    return this.u16(v & 0xffff).u16(Math.floor(v / 0x10000));
  }
  u64(v: number): this {
    return this.u32(v % 0x100000000).u32(Math.floor(v / 0x100000000));
  }
  raw(x: ArrayLike<number>): this {
    this.b.push(...Array.from(x));
    return this;
  }
}

interface Item {
  name: string;
  data: Uint8Array;
  method?: number;
  /** The uncompressed size the headers claim (default: the data's). */
  declared?: number;
}

/**
 * An archive where every size and offset goes through ZIP64 fields: saturated 32-bit
 * values in the headers, the real ones in 0x0001 extra fields, and a ZIP64 end record.
 */
function zip64(items: Item[], comment = ''): Uint8Array {
  const out = new Bytes();
  const central = new Bytes();
  for (const it of items) {
    const method = it.method ?? 0;
    const stored = method === 8 ? zlib.deflateRawSync(it.data) : it.data;
    const name = new TextEncoder().encode(it.name);
    const crc = zlib.crc32(it.data);
    const offset = out.b.length;
    out
      .u32(0x04034b50)
      .u16(45)
      .u16(0x800)
      .u16(method)
      .u16(0)
      .u16(0)
      .u32(crc)
      .u32(0xffffffff)
      .u32(0xffffffff)
      .u16(name.length)
      .u16(20)
      .raw(name)
      .u16(1)
      .u16(16)
      .u64(it.declared ?? it.data.length)
      .u64(stored.length)
      .raw(stored);
    // an unrelated extra field (extended timestamp) comes first, to exercise the field walk
    central
      .u32(0x02014b50)
      .u16(45)
      .u16(45)
      .u16(0x800)
      .u16(method)
      .u16(0)
      .u16(0)
      .u32(crc)
      .u32(0xffffffff)
      .u32(0xffffffff)
      .u16(name.length)
      .u16(9 + 28)
      .u16(0)
      .u16(0)
      .u16(0)
      .u32(0)
      .u32(0xffffffff)
      .raw(name)
      .u16(0x5455)
      .u16(5)
      .raw([1, 0, 0, 0, 0])
      .u16(1)
      .u16(24)
      .u64(it.declared ?? it.data.length)
      .u64(stored.length)
      .u64(offset);
  }
  const dirOffset = out.b.length;
  out.raw(central.b);
  const recOffset = out.b.length;
  out.u32(0x06064b50).u64(44).u16(45).u16(45).u32(0).u32(0).u64(items.length).u64(items.length).u64(central.b.length).u64(dirOffset);
  out.u32(0x07064b50).u32(0).u64(recOffset).u32(1);
  const c = new TextEncoder().encode(comment);
  out.u32(0x06054b50).u16(0).u16(0).u16(0xffff).u16(0xffff).u32(0xffffffff).u32(0xffffffff).u16(c.length).raw(c);
  return Uint8Array.from(out.b);
}

function write(name: string, bytes: Uint8Array): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, bytes);
  return p;
}

describe('zip reader', () => {
  const big = Uint8Array.from({ length: 5000 }, (_, i) => (i * i) % 7);

  test('ZIP64 archive with stored and deflated entries and a comment', () => {
    const p = write(
      'a.zip',
      zip64(
        [
          { name: 'dir/stored.bin', data: Uint8Array.of(1, 2, 3) },
          { name: 'dir/deflated.bin', data: big, method: 8 },
          { name: 'empty', data: new Uint8Array(0) },
        ],
        'PK\x05\x06 looks like a signature',
      ),
    );
    const zip = openZip(p);
    try {
      assert.deepEqual(zip.names(), ['dir/stored.bin', 'dir/deflated.bin', 'empty']);
      assert.equal(zip.entries.get('dir/deflated.bin')!.size, 5000);
      assert.ok(zip.entries.get('dir/deflated.bin')!.compressedSize < 5000);
      assert.deepEqual(zip.read('dir/stored.bin'), Uint8Array.of(1, 2, 3));
      assert.deepEqual(zip.read('dir/deflated.bin'), big);
      assert.deepEqual(zip.read('empty'), new Uint8Array(0));
      assert.throws(() => zip.read('missing'), new RegExp(`a\\.zip: archive has no entry 'missing'`));
    } finally {
      zip.close();
    }
  });

  test('a checkpoint repacked as ZIP64 + deflate under another folder name loads the same', () => {
    const entries = readZipEntries(fixture('sd.pth'));
    const items = [...entries].map(([name, data]) => ({ name: name.replace(/^sd\//, 'renamed/'), data, method: 8 }));
    const p = write('repacked.pth', zip64(items));
    const expected = JSON.parse(fs.readFileSync(fixture('expected.json'), 'utf-8'))['sd.pth'].tensors as Record<
      string,
      { values: number[] }
    >;
    const sd = stateDictFrom(readPth(p), p);
    for (const [k, v] of Object.entries(expected)) assert.deepEqual(Array.from(rawToFloat64Array(sd.get(k)!)), v.values, k);
  });

  test('deflated fixture written by Python', () => {
    const zip = openZip(fixture('deflated.pth'));
    try {
      assert.ok(zip.names().some((n) => n.endsWith('/data.pkl')));
      assert.ok([...zip.entries.values()].some((e) => e.method === 8));
    } finally {
      zip.close();
    }
  });

  test('unsupported methods, bad records and truncation name the file', () => {
    const method12 = zip64([{ name: 'x', data: Uint8Array.of(1) }]);
    method12.set([12, 0], 8); // local header method (ignored)
    const dirStart = method12.length - 22 - 20 - 56 - (46 + 1 + 37);
    method12.set([12, 0], dirStart + 10);
    const p = write('m12.zip', method12);
    assert.throws(() => openZip(p), new RegExp(`^Error: .*m12\\.zip: entry 'x' uses compression method 12`));
    const good = zip64([{ name: 'x', data: Uint8Array.of(1, 2) }]);
    const noLocator = good.slice();
    noLocator.set([0, 0, 0, 0], good.length - 22 - 20);
    assert.throws(() => openZip(write('noloc.zip', noLocator)), /noloc\.zip: ZIP64 end-of-central-directory locator missing/);
    assert.throws(() => openZip(write('cut.zip', good.subarray(0, good.length - 5))), /cut\.zip: no end-of-central-directory record/);
    assert.throws(() => openZip(write('tiny.zip', Uint8Array.of(0x50, 0x4b))), /tiny\.zip: too short to be a ZIP archive/);
  });
});

describe('zip limits: what an entry claims is checked before anything is allocated', () => {
  const zeros = new Uint8Array(4 << 20); // 4 MiB of zeros deflates to about 4 KiB

  test('an entry that inflates past its declared size stops there, with the file and entry named', () => {
    const p = write('bomb-small-claim.zip', zip64([{ name: 'a/data/0', data: zeros, method: 8, declared: 1000 }]));
    assert.throws(
      () => openZip(p).read('a/data/0'),
      (e: Error) => e.message.startsWith(p) && /'a\/data\/0' inflates past its declared 1000 bytes/.test(e.message),
    );
  });

  test('an entry may not declare more than deflate can produce', () => {
    const p = write('bomb-huge-claim.zip', zip64([{ name: 'a/data/0', data: new Uint8Array(100), method: 8, declared: 2 ** 40 }]));
    assert.throws(() => openZip(p).read('a/data/0'), /declares 1099511627776 bytes from \d+ compressed: more than deflate can produce/);
  });

  test('a stored entry must hold what it declares', () => {
    const p = write('stored-lie.zip', zip64([{ name: 'x', data: new Uint8Array(10), declared: 5000 }]));
    assert.throws(() => openZip(p).read('x'), /stored entry 'x' declares 5000 bytes but holds 10/);
  });
});
