// Which runs the bench treats as done: an interrupted run leaves weights behind but is resumed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunDir } from '../../src/train/run.js';
import { finished } from '../../src/experiment/stages.js';

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
});
