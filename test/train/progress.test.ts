// Progress lines off a terminal: one every `every` steps and at the end, with step, loss, rate, ETA.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Progress } from '../../src/train/progress.js';

describe('progress', () => {
  test('plain periodic lines with step, smoothed loss, it/s and ETA', () => {
    const lines: string[] = [];
    const out = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
    const p = new Progress(120, 0, 50, out);
    for (let i = 0; i < 120; i++) p.update(i, 2);
    p.note('validation at step 120: psnr 30');
    assert.equal(lines.length, 4);
    assert.match(lines[0]!, /^step 50\/120 {2}loss 2\.0000 {2}[\d.]+ it\/s {2}ETA \d+m\d\ds\n$/);
    assert.match(lines[2]!, /^step 120\/120 /);
    assert.equal(lines[3], 'validation at step 120: psnr 30\n');
  });
});
