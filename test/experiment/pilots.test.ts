// Pilot comparison: the log-linear fit in closed form, FLOPs per step from a run's config, the budget
// extrapolation, the rates read from bench:train, and the table and plot.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitLogLinear, pilotPlot, pilotTable, readPilot, readRates, summarisePilots } from '../../src/experiment/pilots.js';
import { NAFNET_PRESETS, nafnetFlops } from '../../src/models/nafnet.js';

function fakeRun(root: string, name: string, arch: string, psnrAt: (step: number) => number): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'checkpoints'), { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ kind: 'deblur', arch, crop: 64, batch: 2 }));
  const lines: string[] = [];
  for (let step = 100; step <= 800; step += 100) {
    lines.push(JSON.stringify({ time: new Date(Date.UTC(2026, 0, 1, 0, 0, step / 10)).toISOString(), step, loss: -30 }));
    lines.push(
      JSON.stringify({ time: new Date(Date.UTC(2026, 0, 1, 0, 0, step / 10)).toISOString(), step, validation: { psnr: psnrAt(step) } }),
    );
  }
  writeFileSync(join(dir, 'metrics.jsonl'), lines.join('\n') + '\n');
  return dir;
}

describe('pilots', () => {
  test('fitLogLinear recovers an exact log-linear curve', () => {
    const f = fitLogLinear([
      [1e12, 30],
      [1e13, 31.5],
      [1e14, 33],
    ])!;
    assert.ok(Math.abs(f.b - 1.5) < 1e-9 && Math.abs(f.a - (30 - 1.5 * 12)) < 1e-9);
    assert.equal(fitLogLinear([[1e12, 30]]), undefined);
  });

  test('reads a run, counts its FLOPs, extrapolates to the budget, and writes table and plot', () => {
    const root = mkdtempSync(join(tmpdir(), 'b2b-pilots-'));
    try {
      const run = fakeRun(root, 'a', 'nafnet-small', (s) => 28 + Math.log10(s));
      const c = readPilot(run);
      assert.equal(c.flopsPerStep, 3 * 2 * nafnetFlops(NAFNET_PRESETS.small, 64, 64));
      assert.equal(c.points.length, 8);
      assert.ok(Math.abs(c.secondsPerStep - 0.1) < 1e-9, 'ten steps a second from the timestamps');
      assert.ok(Math.abs(c.fit!.b - 1) < 1e-9, 'slope 1 dB per decade');
      const [s] = summarisePilots([run], 1, { 'nafnet-small': 10 });
      assert.equal(s!.budgetFlops, 3600 * 10e9);
      assert.ok(Math.abs(s!.atBudget! - (28 + Math.log10((3600 * 10e9) / c.flopsPerStep))) < 1e-6);
      assert.match(pilotTable([s!], 1), /\| nafnet-small \| 64 \| 2 \|/);
      assert.match(pilotPlot([s!], 1), /^<svg/);
      writeFileSync(
        join(root, 'bench.txt'),
        'training benchmark\n{"min_ratio":1.5,"steps":{"deblur:nafnet-small":{"gflops":41.8},"kernel:kernel-wizard":{"ratio":1}}}\n',
      );
      assert.deepEqual(readRates(join(root, 'bench.txt')), { 'nafnet-small': 41.8 });
      assert.throws(() => readPilot(fakeRun(root, 'b', 'mimo-unet-small', () => 1)), /compare NAFNet runs/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
