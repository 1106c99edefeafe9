// Which runs the bench treats as done: an interrupted run leaves weights behind but is resumed; an
// interrupted stage stops the bench (no later stage uses its unfinished result) and the next run resumes it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunDir } from '../../src/train/run.js';
import { StageInterrupted, Stages, finished } from '../../src/experiment/stages.js';
import { resolveDeblurConfig, trainDeblur } from '../../src/train/deblur.js';
import { writePairs } from '../train/fixtures.js';

describe('bench stages', () => {
  test('finished: weights present and the last event not an interruption', () => {
    const dir = mkdtempSync(join(tmpdir(), 'b2b-stages-'));
    try {
      const run = RunDir.create(join(dir, 'r'), { kind: 'deblur' });
      assert.equal(finished(run.dir), false, 'no weights yet');
      run.log({ step: 10, loss: 1 });
      run.log({ event: 'interrupted', step: 10 });
      writeFileSync(run.finalWeights, 'x');
      assert.equal(finished(run.dir), false, 'interrupted: resume, do not skip');
      run.log({ event: 'resume', step: 10 });
      run.log({ step: 20, loss: 0.5 });
      assert.equal(finished(run.dir), true);
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
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
