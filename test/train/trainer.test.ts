// The training loop: exact resume after an interruption, atomic checkpoints, the non-finite guard, and
// a tiny deblurrer that learns.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { liveTensors, manualSeed } from '../../src/tensor/index.js';
import { NAFNet } from '../../src/models/index.js';
import { AdamW } from '../../src/optim/index.js';
import { BatchLoader, releaseBatch, type Batch } from '../../src/data/datasets/loader.js';
import { readPairedFolder } from '../../src/data/datasets/layouts.js';
import { psnrLoss } from '../../src/losses/restoration.js';
import { RunDir } from '../../src/train/run.js';
import { trainLoop } from '../../src/train/trainer.js';
import { GradScaler } from '../../src/train/grad-scaler.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/train/checkpoint.js';
import { writeFileAtomic } from '../../src/io/safetensors.js';
import { loadWeights, readWeightsMetadata, saveWeights } from '../../src/io/weights.js';
import { resolveDeblurConfig, trainDeblur } from '../../src/train/deblur.js';
import { writePairs } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'b2b-train-'));
const pairsDir = join(root, 'pairs');
test.before(async () => writePairs(pairsDir, 8));
test.after(() => rmSync(root, { recursive: true, force: true }));

function setup(seed = 1) {
  manualSeed(seed);
  const model = new NAFNet({ width: 8, encBlocks: [1], middleBlocks: 1, decBlocks: [1] });
  const optimizer = new AdamW(model.parameters(), { lr: 2e-3 });
  const loader = new BatchLoader(readPairedFolder(pairsDir), { batchSize: 2, crop: 16, seed: 3, augment: { hflip: true, rot90: true } });
  return { model, optimizer, loader };
}

async function runFor(dir: string, steps: number, o: { resume?: boolean; failAfter?: number; nanAt?: number[]; scaler?: GradScaler } = {}) {
  const { model, optimizer, loader } = setup();
  const run = o.resume ? RunDir.open(dir) : RunDir.create(dir, { test: true });
  let calls = 0;
  const data = {
    next: () => {
      if (o.failAfter !== undefined && calls++ === o.failAfter) throw new Error('simulated crash');
      return loader.next();
    },
    get position() {
      return loader.position;
    },
    restore: (p: never) => loader.restore(p),
  };
  try {
    const r = await trainLoop<Batch>({
      run,
      parts: [{ name: 'model', model, optimizer }],
      data,
      steps,
      baseLr: 2e-3,
      schedule: { kind: 'cosine', total: steps },
      step: (b, step) => {
        // A loss scaler the step keeps for itself, as the translator's D under float16: overflows on the first three steps.
        o.scaler?.update(step >= 3);
        const loss = psnrLoss(model.forward(b.blurry), b.sharp!);
        return { loss: o.nanAt?.includes(step) ? loss.mul(Number.NaN) : loss };
      },
      release: releaseBatch,
      scalers: o.scaler ? { d: o.scaler } : undefined,
      valEvery: 1000,
      ckptEvery: 3,
      logEvery: 1,
      resume: o.resume ?? false,
      quiet: true,
    });
    const weights = new Map([...model.stateDict()].map(([k, t]) => [k, t.toNumbers()]));
    return { r, weights, lr: optimizer.lr };
  } finally {
    model.dispose();
    optimizer.dispose();
    loader.dispose();
  }
}

describe('trainLoop', () => {
  test('a run interrupted at step 3 and resumed equals an uninterrupted run at step 7', async () => {
    const before = liveTensors();
    const a = await runFor(join(root, 'a'), 7);
    await assert.rejects(runFor(join(root, 'b'), 7, { failAfter: 4 }), /simulated crash/);
    rmSync(join(root, 'b', 'samples'), { recursive: true }); // as a run copied through git arrives (no empty folders)
    const b = await runFor(join(root, 'b'), 7, { resume: true });
    assert.ok(existsSync(join(root, 'b', 'samples')), 'resume makes the sample folder again');
    assert.equal(b.r.steps, 7);
    let worst = 0;
    for (const [k, v] of a.weights) v.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - b.weights.get(k)![i]!))));
    assert.ok(worst < 1e-6, `largest weight difference ${worst}`);
    assert.ok(
      RunDir.open(join(root, 'b'))
        .metrics()
        .some((m) => m.event === 'resume' && m.step === 3),
    );
    assert.equal(liveTensors(), before);
  });

  test('a run killed before its first checkpoint resumes from step 0 and equals an uninterrupted run', async () => {
    const a = await runFor(join(root, 'a0'), 5);
    await assert.rejects(runFor(join(root, 'b0'), 5, { failAfter: 2 }), /simulated crash/);
    assert.equal(existsSync(join(root, 'b0', 'checkpoints', 'latest.safetensors')), false, 'killed before step 3, the first checkpoint');
    const b = await runFor(join(root, 'b0'), 5, { resume: true });
    assert.equal(b.r.steps, 5);
    let worst = 0;
    for (const [k, v] of a.weights) v.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - b.weights.get(k)![i]!))));
    assert.ok(worst < 1e-6, `largest weight difference ${worst}`);
    const log = RunDir.open(join(root, 'b0')).metrics();
    assert.ok(log.some((m) => m.event === 'resume' && m.step === 0));
    // Exported weights (config and model, no checkpoint) are not resumed over: they stay as they were.
    rmSync(join(root, 'b0', 'checkpoints'), { recursive: true });
    saveWeights(join(root, 'b0', 'model.safetensors'), new Map());
    const weights = readFileSync(join(root, 'b0', 'model.safetensors'));
    await assert.rejects(runFor(join(root, 'b0'), 5, { resume: true }), /holds final weights but no checkpoint to resume from/);
    assert.deepEqual(readFileSync(join(root, 'b0', 'model.safetensors')), weights);
  });

  test("a step's own loss scaler resumes where it was (scale and run of good steps)", async () => {
    const mk = () => new GradScaler(1024, 2, 0.5, 2);
    const whole = mk();
    await runFor(join(root, 'scaler-whole'), 7, { scaler: whole });
    const first = mk();
    await runFor(join(root, 'scaler-split'), 3, { scaler: first });
    const resumed = mk();
    await runFor(join(root, 'scaler-split'), 7, { resume: true, scaler: resumed });
    assert.deepEqual(resumed.state, whole.state);
    assert.notDeepEqual(whole.state, mk().state, 'the scale moved');
  });

  test('non-finite losses are skipped, and three in a row roll back with a lower learning rate', async () => {
    const dir = join(root, 'nan');
    const r = await runFor(dir, 10, { nanAt: [4, 5, 6] });
    assert.equal(r.r.steps, 10);
    assert.equal(r.r.guardEvents, 3);
    const m = RunDir.open(dir).metrics();
    assert.equal(m.filter((e) => e.event === 'non-finite').length, 3);
    const rb = m.find((e) => e.event === 'rollback')!;
    assert.equal(rb.toStep, 3);
    assert.equal(rb.lrScale, 0.5);
    for (const v of r.weights.values()) assert.ok(v.every(Number.isFinite));
  });

  test('an interrupted checkpoint write leaves the last good checkpoint', async () => {
    const { model, optimizer } = setup();
    const file = join(root, 'ckpt.safetensors');
    try {
      saveCheckpoint(file, [{ name: 'model', model, optimizer }], { step: 5, lrScale: 1, loader: null });
      const good = readFileSync(file);
      assert.throws(
        () =>
          writeFileAtomic(file, [new Uint8Array(100)], {
            beforeRename: () => {
              throw new Error('power cut');
            },
          }),
        /power cut/,
      );
      assert.deepEqual(readFileSync(file), good);
      assert.equal(loadCheckpoint(file, [{ name: 'model', model, optimizer }]).step, 5);
      assert.throws(() => loadCheckpoint(join(root, 'none.safetensors'), []), /no such checkpoint/);
    } finally {
      model.dispose();
      optimizer.dispose();
    }
  });
});

describe('trainDeblur', () => {
  test('a tiny NAFNet learns to undo the blur (validation PSNR rises)', async () => {
    const out = join(root, 'deblur');
    const c = resolveDeblurConfig({
      pairs: pairsDir,
      val: pairsDir,
      arch: 'nafnet-small',
      steps: 60,
      batch: 4,
      crop: 32,
      lr: 2e-3,
      valEvery: 20,
      ckptEvery: 20,
      valImages: 4,
    });
    const r = await trainDeblur(c, out, { quiet: true });
    const vals = RunDir.open(out)
      .metrics()
      .filter((m) => m.validation)
      .map((m) => (m.validation as { psnr: number }).psnr);
    assert.equal(vals.length, 3);
    assert.ok(vals[2]! > vals[0]!, `validation PSNR ${vals.join(' → ')}`);
    assert.ok(existsSync(r.weights));
    assert.ok(existsSync(join(out, 'samples', 'step-0000060.png')));
    assert.throws(() => RunDir.create(out, {}), /already holds a run/);
    assert.throws(() => resolveDeblurConfig({ pairs: pairsDir, stepz: 3 } as never), /unknown key 'stepz'/);
  });

  test('a time budget ends the run early as finished, with a checkpoint, validation and final weights', async () => {
    const out = join(root, 'budget');
    const c = resolveDeblurConfig({
      pairs: pairsDir,
      val: pairsDir,
      steps: 1000,
      batch: 2,
      crop: 16,
      valEvery: 1000,
      ckptEvery: 1000,
      valImages: 2,
    });
    const r = await trainDeblur(c, out, { quiet: true, maxSeconds: 0 });
    assert.ok(r.budgetReached);
    assert.ok(!r.interrupted);
    assert.ok(r.steps < 1000);
    assert.ok(Number.isFinite(r.lastValidation!.psnr!));
    assert.ok(existsSync(r.weights) && existsSync(join(out, 'checkpoints', 'latest.safetensors')));
    assert.ok(
      RunDir.open(out)
        .metrics()
        .some((m) => m.event === 'budget'),
    );
  });

  test("a time budget counts over the run's resumes, from the seconds its checkpoint holds", async () => {
    const out = join(root, 'budget-resumed');
    const c = resolveDeblurConfig({ pairs: pairsDir, steps: 50, batch: 2, crop: 16, valEvery: 1000, ckptEvery: 1000, valImages: 2 });
    const first = await trainDeblur(c, out, {
      quiet: true,
      maxSeconds: 3600,
      onStep: (s) => {
        if (s === 2) process.emit('SIGTERM');
      },
    });
    assert.ok(first.interrupted);
    const latest = join(out, 'checkpoints', 'latest.safetensors');
    const meta = readWeightsMetadata(latest);
    const state = JSON.parse(meta.state!) as { step: number; extra: { seconds: number } };
    assert.ok(state.extra.seconds > 0 && state.extra.seconds <= first.seconds + 1e-6, `seconds saved: ${state.extra.seconds}`);
    // As if the first process had trained for 59 of its 60 minutes: the resumed one has one left.
    saveWeights(latest, loadWeights(latest), { ...meta, state: JSON.stringify({ ...state, extra: { ...state.extra, seconds: 3599.5 } }) });
    const second = await trainDeblur(c, out, { quiet: true, resume: true, maxSeconds: 3600 });
    assert.ok(second.budgetReached, "the budget was the run's: it ends within the minute left");
    assert.ok(second.steps < 50 && second.seconds >= 3599.5, `${second.steps} steps, ${second.seconds} s`);
  });
});

describe('interruption', () => {
  test('SIGTERM during training saves a checkpoint at the step reached and stops', async () => {
    const dir = join(root, 'sig');
    const { model, optimizer, loader } = setup();
    const run = RunDir.create(dir, { test: true });
    try {
      const r = await trainLoop<Batch>({
        run,
        parts: [{ name: 'model', model, optimizer }],
        data: loader,
        steps: 50,
        baseLr: 1e-3,
        schedule: { kind: 'constant' },
        step: (b, step) => {
          if (step === 4) process.kill(process.pid, 'SIGTERM');
          return { loss: psnrLoss(model.forward(b.blurry), b.sharp!) };
        },
        release: releaseBatch,
        valEvery: 1000,
        ckptEvery: 1000,
        resume: false,
        quiet: true,
      });
      // The signal arrives asynchronously: the loop stops at the next step boundary or the one after.
      assert.equal(r.interrupted, true);
      assert.ok(r.steps === 5 || r.steps === 6, `stopped after ${r.steps} steps`);
      assert.equal(loadCheckpoint(run.latest, [{ name: 'model', model, optimizer }]).step, r.steps);
      assert.ok(run.metrics().some((m) => m.event === 'interrupted' && m.step === r.steps));
    } finally {
      model.dispose();
      optimizer.dispose();
      loader.dispose();
    }
  });
});
