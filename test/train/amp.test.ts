// Mixed precision in training: a tiny deblurrer learns under bf16 autocast on the CPU, its weights
// and checkpoints stay float32; the float16 loss scaler halves on overflow and grows after good steps.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Conv2d } from '../../src/nn/index.js';
import { scope, tensor } from '../../src/tensor/index.js';
import { readSafetensors } from '../../src/io/safetensors.js';
import { resolveDeblurConfig, trainDeblur } from '../../src/train/deblur.js';
import { GradScaler } from '../../src/train/grad-scaler.js';
import { RunDir } from '../../src/train/run.js';
import { writeRandomImage } from '../helpers/images.js';

const root = mkdtempSync(join(tmpdir(), 'b2b-amp-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

describe('mixed precision', () => {
  test('bf16: a tiny deblurrer learns; weights and checkpoints stay float32', async () => {
    const pairs = join(root, 'pairs');
    for (const d of ['blur', 'sharp']) mkdirSync(join(pairs, d), { recursive: true });
    for (let i = 0; i < 6; i++) {
      await writeRandomImage(join(pairs, 'sharp', `s${i}_00.png`), 48, 48, i);
      await writeRandomImage(join(pairs, 'blur', `s${i}_00.png`), 48, 48, i, { scale: 0.8 });
    }
    const c = resolveDeblurConfig({
      pairs,
      val: pairs,
      steps: 40,
      batch: 4,
      crop: 32,
      valEvery: 40,
      ckptEvery: 40,
      valImages: 4,
      lr: 2e-3,
    });
    const r = await trainDeblur(c, join(root, 'bf16'), { quiet: true, amp: 'bfloat16', logEvery: 10 });
    const losses = RunDir.open(join(root, 'bf16'))
      .metrics()
      .filter((m) => typeof m.loss === 'number')
      .map((m) => m.loss as number);
    assert.ok(Number.isFinite(r.lastValidation!.psnr!));
    assert.ok(
      r.lastValidation!.psnr! > r.lastValidation!.input_psnr!,
      `it learns: ${r.lastValidation!.psnr} vs input ${r.lastValidation!.input_psnr}`,
    );
    assert.ok(losses.length >= 1 && losses.every(Number.isFinite));
    for (const file of [r.weights, join(root, 'bf16', 'checkpoints', 'latest.safetensors')]) {
      const dtypes = new Set([...readSafetensors(file).tensors.values()].map((t) => t.dtype));
      assert.deepEqual([...dtypes], ['float32'], `${file} holds float32 only`);
    }
  });

  test('the float16 loss scaler: scale, unscale, back off on overflow, grow after good steps', () => {
    const s = new GradScaler(8, 2, 0.5, 3);
    const m = new Conv2d(1, 1, 1);
    scope(() => {
      assert.equal(s.scaled(tensor([0.5])).item(), 4);
      m.weight.grad = tensor([[[[16]]]]);
      m.bias!.grad = tensor([8]);
      assert.equal(s.unscale([m]), true);
      assert.deepEqual([m.weight.grad!.item(), m.bias!.grad!.item()], [2, 1]);
      m.weight.grad = tensor([[[[Infinity]]]]);
      assert.equal(s.unscale([m]), false);
    });
    s.update(false);
    assert.equal(s.scale, 4);
    for (let i = 0; i < 3; i++) s.update(true);
    assert.equal(s.scale, 8, 'doubles after 3 good steps');
    const t = new GradScaler();
    t.restore(s.state);
    assert.deepEqual(t.state, s.state);
    m.dispose();
  });
});
