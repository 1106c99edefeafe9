// Which runs the bench treats as done: an interrupted run leaves weights behind but is resumed, and so is
// one killed outright after such a resume; an interrupted stage stops the bench (no later stage uses its
// unfinished result) and the next run resumes it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunDir } from '../../src/train/run.js';
import { readWeightsMetadata, saveWeights } from '../../src/io/weights.js';
import { tensor } from '../../src/tensor/index.js';
import { StageInterrupted, Stages, finished } from '../../src/experiment/stages.js';
import { resolveDeblurConfig, trainDeblur } from '../../src/train/deblur.js';
import { writePairs } from '../train/fixtures.js';

describe('bench stages', () => {
  test('finished: weights present and the last event not an interruption', () => {
    const dir = mkdtempSync(join(tmpdir(), 'b2b-stages-'));
    try {
      const run = RunDir.create(join(dir, 'r'), { kind: 'deblur' });
      const weights = new Map([['w', tensor([1, 2])]]);
      assert.equal(finished(run.dir), false, 'no weights yet');
      run.log({ step: 10, loss: 1 });
      run.log({ event: 'interrupted', step: 10 });
      saveWeights(run.latest, weights, { steps: '10' });
      run.saveFinal(weights, {}, { steps: 10, interrupted: true });
      assert.equal(finished(run.dir), false, 'interrupted: resume, do not skip');
      run.log({ event: 'resume', step: 10 });
      run.log({ step: 20, loss: 0.5 });
      assert.equal(finished(run.dir), false, 'killed after the resume: the weights are the interrupted step-10 ones');
      run.saveFinal(weights, {}, { steps: 30 });
      assert.equal(run.metrics().at(-1)!.event, 'finished');
      assert.equal(finished(run.dir), true);
      run.log({ step: 30, final_validation: { psnr: 1 } });
      assert.equal(finished(run.dir), true, 'entries after the mark that are no lifecycle event');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('finished, for logs from before the finished mark: by the steps the weights hold', () => {
    const dir = mkdtempSync(join(tmpdir(), 'b2b-stages-'));
    try {
      const run = RunDir.create(join(dir, 'r'), { kind: 'deblur' });
      const w = new Map([['w', tensor([1, 2])]]);
      run.log({ event: 'interrupted', step: 6 });
      saveWeights(run.finalWeights, w, { steps: '6' });
      saveWeights(run.latest, w, { steps: '6' });
      run.log({ event: 'resume', step: 6 });
      assert.equal(finished(run.dir), false, 'killed right after the resume');
      run.log({ step: 400, loss: 1 });
      assert.equal(finished(run.dir), false, 'killed at step 400 with the step-6 weights');
      saveWeights(run.finalWeights, w, { steps: '806' });
      run.log({ step: 806, validation: { psnr: 1 } });
      assert.equal(finished(run.dir), true);
      saveWeights(run.finalWeights, w, { steps: '750' });
      assert.equal(finished(run.dir), false);
      rmSync(join(run.dir, 'checkpoints'), { recursive: true });
      assert.equal(finished(run.dir), true, 'weights exported from a checkpoint into a folder that cannot be resumed');
      rmSync(join(run.dir, 'metrics.jsonl'));
      assert.equal(finished(run.dir), true, 'a weights folder without a log');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a training stage stopped by SIGTERM stops the bench; the same command resumes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'b2b-stages-'));
    try {
      const pairs = join(dir, 'pairs'),
        run = join(dir, 'dk');
      await writePairs(pairs, 2, 64);
      const config = resolveDeblurConfig({ pairs, steps: 4, batch: 1, crop: 32, valEvery: 100, ckptEvery: 100 });
      const lines: string[] = [];
      const stage = (st: Stages, stopAt?: number) =>
        st.run(
          'train D_K',
          () => finished(run),
          async (resume) => {
            await trainDeblur(config, run, {
              resume,
              quiet: true,
              onStep: (s) => {
                if (s === stopAt) process.emit('SIGTERM');
              },
            });
          },
          run,
        );
      let later = false;
      const first = new Stages((l) => lines.push(l));
      await assert.rejects(
        (async () => {
          await stage(first, 2);
          later = true;
        })(),
        (e: Error) => e instanceof StageInterrupted && /stopped during 'train D_K'.*run the same command again/.test(e.message),
      );
      assert.equal(later, false, 'no stage after the interrupted one ran');
      assert.match(lines.at(-1)!, /train D_K: interrupted after/);
      const second = new Stages((l) => lines.push(l));
      await stage(second);
      assert.match(lines.at(-2)!, /train D_K: resuming/);
      assert.equal(second.log[0]!.status, 'resumed');
      assert.equal(finished(run), true);
      // A run killed before its first checkpoint left only its config and log: the bench resumes it from step 0.
      const early = join(dir, 'dk-early');
      RunDir.create(early, config).log({ step: 1, loss: 0.5 });
      const third = new Stages((l) => lines.push(l));
      await third.run(
        'train D_K early',
        () => finished(early),
        (resume) => trainDeblur(config, early, { resume, quiet: true }).then(() => undefined),
        early,
      );
      assert.equal(third.log[0]!.status, 'resumed');
      assert.equal(finished(early), true);
      assert.equal(readWeightsMetadata(join(early, 'model.safetensors')).steps, '4');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
