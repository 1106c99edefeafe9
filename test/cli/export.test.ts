// b2b export onnx with the shipped weights: three files (D_K∘G, D_K, G), metadata, and never an existing
// file replaced without --overwrite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/fixtures.js';
import { checkOnnx } from '../../src/export/check.js';

const b2b = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist/src/cli/b2b.js'), ...args], { encoding: 'utf8' });

test('b2b export onnx writes D_K∘G and each model alone, with metadata; existing files are kept', () => {
  const dir = mkdtempSync(join(tmpdir(), 'b2b-export-'));
  try {
    const out = join(dir, 'phone.onnx');
    const args = [
      'export',
      'onnx',
      '--deblurrer',
      join(ROOT, 'weights/dk-gopro-like-nafnet-small'),
      '--translator',
      join(ROOT, 'weights/g-phone-like-small'),
      '--camera',
      'phone-like',
      '--out',
      out,
    ];
    const r = b2b(...args);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /phone\.onnx: D_K\(G\(y\)\)/);
    const s = checkOnnx(readFileSync(out));
    assert.equal(s.metadata.camera, 'phone-like');
    assert.equal(s.metadata['deblurrer.arch'], 'nafnet-small');
    assert.equal(s.metadata['translator.arch'], 'mimo-unet-small');
    assert.match(checkOnnx(readFileSync(join(dir, 'phone.deblurrer.onnx'))).metadata.computes!, /D_K\(y\)/);
    assert.match(checkOnnx(readFileSync(join(dir, 'phone.translator.onnx'))).metadata.computes!, /^G\(y\)/);

    const before = statSync(out).mtimeMs;
    const again = b2b(...args);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /phone\.onnx exists: give --overwrite/);
    assert.equal(statSync(out).mtimeMs, before);
    assert.equal(b2b(...args, '--overwrite', '--quiet').status, 0);

    writeFileSync(join(dir, 'mine.onnx'), 'precious');
    const none = b2b('export', 'onnx', '--out', join(dir, 'x.onnx'));
    assert.equal(none.status, 2);
    assert.match(none.stderr, /give --deblurrer D, --translator G, or both/);
    assert.match(b2b('export', 'tflite', '--deblurrer', 'x', '--out', 'y.onnx').stderr, /the format is 'onnx'/);
    assert.match(
      b2b('export', 'onnx', '--deblurrer', join(dir, 'missing'), '--out', join(dir, 'm.onnx')).stderr,
      /missing: no model\.safetensors/,
    );
    assert.equal(readFileSync(join(dir, 'mine.onnx'), 'utf8'), 'precious');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
