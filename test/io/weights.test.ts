// Checkpoints into modules: PyTorch files load into the same architecture with exact values, and the
// project's safetensors round-trip a module.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scope } from '../../src/tensor/index.js';
import { BatchNorm2d, Conv2d, Linear, Sequential } from '../../src/nn/index.js';
import { loadWeights, readWeightsMetadata, saveWeights } from '../../src/io/weights.js';
import { fixturePath, loadFixture } from '../helpers/fixtures.js';

interface Expected {
  tensors: Record<string, { dtype: string; shape: number[]; values: number[] }>;
}
const expected = loadFixture<Record<string, Expected>>('pth/expected.json');
const model = (): Sequential => new Sequential(new Conv2d(2, 3, 3), new BatchNorm2d(3), new Linear(4, 2));

describe('weights into modules', () => {
  for (const file of ['sd.pth', 'wrapped_params.pth', 'wrapped_model_epoch.pth', 'legacy.pth', 'sd_fp16.pth']) {
    test(`${file} loads into the same architecture with the values torch.save wrote`, () => {
      const m = model();
      scope(() => {
        const sd = loadWeights(fixturePath(`pth/${file}`));
        m.loadStateDict(sd, {}, file);
        const exp = expected[file]!.tensors;
        for (const [k, t] of m.stateDict()) {
          assert.deepEqual(
            t.toNumbers(),
            exp[k]!.values.map((v) => (t.dtype === 'float32' ? Math.fround(v) : v)),
            k,
          );
          if (file === 'sd_fp16.pth' && exp[k]!.dtype === 'float16') assert.equal(sd.get(k)!.dtype, 'float16');
        }
      });
      m.dispose();
    });
  }

  test('a pickled os.system call is refused, naming the file and the global', () => {
    assert.throws(
      () => loadWeights(fixturePath('pth/malicious_os_system.pth')),
      /malicious_os_system\.pth: unsupported pickle global 'os\.system'/,
    );
  });

  test('safetensors round trip of a module (float32, int64 counters)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'b2b-weights-'));
    const a = model();
    const b = model();
    try {
      saveWeights(join(dir, 'm.safetensors'), a.stateDict(), { arch: 'test' });
      assert.deepEqual(readWeightsMetadata(join(dir, 'm.safetensors')), { arch: 'test' });
      scope(() => b.loadStateDict(loadWeights(join(dir, 'm.safetensors'))));
      for (const [k, t] of a.stateDict()) assert.deepEqual(b.stateDict().get(k)!.toNumbers(), t.toNumbers(), k);
    } finally {
      a.dispose();
      b.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
