// Data-parallel training over c10d (Gloo on 127.0.0.1): two worker processes equal one process with the
// same global batch, and each other; a stopped group resumes to the uninterrupted run; a killed worker
// makes the other fail instead of hanging; the CLI's --nproc runs the deblurrer and translator trainers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cudaBuild, cudaDeviceCount, distAvailable, distBackends, ProcessGroup } from '../../src/tensor/index.js';
import { chooseBackend, groupFromEnv, rankDevice } from '../../src/train/data-parallel.js';
import { readSafetensors } from '../../src/io/safetensors.js';
import { rawToFloat64Array } from '../../src/io/raw-tensor.js';
import { freePort } from '../../src/cli/launch.js';
import { ROOT } from '../helpers/fixtures.js';
import { writeRandomImage } from '../helpers/images.js';

const root = mkdtempSync(join(tmpdir(), 'b2b-dp-'));
test.after(() => rmSync(root, { recursive: true, force: true }));
const WORKER = join(ROOT, 'dist/test/helpers/dp-worker.js');
// On a GPU ($B2B_TEST_DEVICE=cuda, the GPU check): a GPU per rank with NCCL where there are two, else
// both ranks on cuda:0 over Gloo (which reduces CUDA tensors too).
const GPU = (process.env.B2B_TEST_DEVICE ?? 'cpu') !== 'cpu';
const DP_DEVICE = !GPU ? 'cpu' : cudaDeviceCount() >= 2 ? 'cuda' : 'cuda:0';

interface Result {
  code: number | null;
  stderr: string;
}

/** Runs `world` workers (1: no group) with extra environment; resolves when all have exited. */
async function workers(world: number, extra: Record<string, string>): Promise<Result[]> {
  const port = String(await freePort());
  return Promise.all(
    Array.from({ length: world }, (_, rank) => {
      const env = {
        ...process.env,
        B2B_THREADS: '1',
        B2B_DIST_TIMEOUT_MS: '20000',
        ...extra,
        ...(world > 1
          ? { RANK: String(rank), LOCAL_RANK: String(rank), WORLD_SIZE: String(world), MASTER_ADDR: '127.0.0.1', MASTER_PORT: port }
          : {}),
      };
      return new Promise<Result>((resolve) => {
        const p = spawn(process.execPath, [WORKER], { env, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        p.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
        // A hang is a failure too: no worker may take more than a minute here.
        const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
        p.on('exit', (code) => {
          clearTimeout(timer);
          resolve({ code, stderr });
        });
      });
    }),
  );
}

function weights(file: string): number[] {
  return [...readSafetensors(file).tensors.values()].flatMap((t) => [...rawToFloat64Array(t)]);
}

const maxDiff = (a: number[], b: number[]): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe(`data parallel (c10d; ranks on ${DP_DEVICE})`, { skip: distAvailable() ? false : 'this build has no Gloo' }, () => {
  test('2 ranks equal 1 process with the same global batch, and each other exactly; a stopped group resumes to the same weights', async () => {
    const one = join(root, 'one'),
      two = join(root, 'two'),
      split = join(root, 'split');
    for (const d of [one, two, split]) mkdirSync(d);
    const [single] = await workers(1, { DP_OUT: one, DP_RUN: join(one, 'run'), DP_DEVICE });
    assert.equal(single!.code, 0, single!.stderr);
    const pair = await workers(2, { DP_OUT: two, DP_RUN: join(two, 'run'), DP_DEVICE });
    for (const r of pair) assert.equal(r.code, 0, r.stderr);
    const w0 = weights(join(two, 'rank0.safetensors')),
      w1 = weights(join(two, 'rank1.safetensors')),
      w = weights(join(one, 'rank0.safetensors'));
    assert.equal(maxDiff(w0, w1), 0, 'the ranks hold the same weights');
    assert.ok(maxDiff(w0, w) < 1e-5, `2 ranks vs 1 process: ${maxDiff(w0, w)}`);
    // Stopped after step 2 (a signal to rank 1 stops both, with a checkpoint), then resumed.
    const stopped = await workers(2, { DP_OUT: split, DP_RUN: join(split, 'run'), DP_STOP_AT: '2', DP_DEVICE });
    for (const r of stopped) assert.equal(r.code, 0, r.stderr);
    const resumed = await workers(2, { DP_OUT: split, DP_RUN: join(split, 'run'), DP_RESUME: '1', DP_DEVICE });
    for (const r of resumed) assert.equal(r.code, 0, r.stderr);
    assert.ok(maxDiff(weights(join(split, 'rank0.safetensors')), w0) < 1e-6, 'resumed = uninterrupted');
  });

  test('a killed worker makes the other fail with an error, not hang', async () => {
    const dir = join(root, 'killed');
    mkdirSync(dir);
    const port = String(await freePort());
    const base = {
      ...process.env,
      B2B_THREADS: '1',
      B2B_DIST_TIMEOUT_MS: '10000',
      DP_OUT: dir,
      DP_RUN: join(dir, 'run'),
      DP_STEPS: '50',
      WORLD_SIZE: '2',
      MASTER_ADDR: '127.0.0.1',
      MASTER_PORT: port,
    };
    const r0 = spawn(process.execPath, [WORKER], { env: { ...base, RANK: '0' }, stdio: ['ignore', 'ignore', 'pipe'] });
    const r1 = spawnSync(process.execPath, [WORKER], { env: { ...base, RANK: '1', DP_EXIT_AT: '3' }, timeout: 60_000 });
    assert.equal(r1.status, 9, 'the killed worker');
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => r0.kill('SIGKILL'), 60_000);
      r0.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    assert.notEqual(code, 0, 'the survivor fails');
    assert.notEqual(code, null, 'within the timeout (not killed by the test)');
  });

  test('b2b train deblur and translator --nproc 2 run to the end', async () => {
    const data = join(root, 'pairs'),
      images = join(root, 'imgs');
    for (const d of [join(data, 'blur'), join(data, 'sharp'), images]) mkdirSync(d, { recursive: true });
    for (let i = 0; i < 6; i++) {
      const name = `s${i}_00.png`;
      await writeRandomImage(join(data, 'sharp', name), 160, 160, i);
      await writeRandomImage(join(data, 'blur', name), 160, 160, i, { scale: 0.8 });
      await writeRandomImage(join(images, name), 160, 160, 50 + i);
    }
    const b2b = (...args: string[]) =>
      spawnSync(process.execPath, [join(ROOT, 'dist/src/cli/b2b.js'), ...args], { encoding: 'utf8', timeout: 300_000 });
    const dk = b2b(
      'train',
      'deblur',
      '--pairs',
      data,
      '--val',
      data,
      '--steps',
      '3',
      '--batch',
      '2',
      '--crop',
      '32',
      '--val-every',
      '3',
      '--val-images',
      '2',
      '--nproc',
      '2',
      '--out',
      join(root, 'dk'),
    );
    assert.equal(dk.status, 0, dk.stderr);
    assert.match(dk.stdout, /finished at step 3\/3/);
    assert.equal(dk.stdout.match(/finished at/g)!.length, 1, 'one summary line: rank 0 speaks');
    const g = b2b(
      'train',
      'translator',
      '--blur',
      images,
      '--known',
      images,
      '--steps',
      '2',
      '--batch',
      '2',
      '--crop',
      '128',
      '--disc-warmup',
      '0',
      '--nproc',
      '2',
      '--out',
      join(root, 'g'),
    );
    assert.equal(g.status, 0, g.stderr);
    assert.ok(existsSync(join(root, 'g', 'model.safetensors')));
  });
});

describe('process-group backend and device per rank', () => {
  const spec = { rank: 1, worldSize: 2, masterAddr: '127.0.0.1', masterPort: 1 };

  test('the environment gives LOCAL_RANK (0 when unset) and B2B_DIST_BACKEND, and a bad value is named', () => {
    const base = { RANK: '1', WORLD_SIZE: '2' };
    assert.equal(groupFromEnv(base)!.localRank, 0);
    assert.equal(groupFromEnv({ ...base, LOCAL_RANK: '3' })!.localRank, 3);
    assert.equal(groupFromEnv(base)!.backend, undefined);
    assert.equal(groupFromEnv({ ...base, B2B_DIST_BACKEND: 'nccl' })!.backend, 'nccl');
    assert.throws(() => groupFromEnv({ ...base, B2B_DIST_BACKEND: 'mpi' }), /B2B_DIST_BACKEND must be gloo or nccl, got 'mpi'/);
    assert.throws(() => groupFromEnv({ ...base, LOCAL_RANK: 'x' }), /LOCAL_RANK must be a non-negative integer, got 'x'/);
  });

  test('--device cuda gives each rank the GPU of its LOCAL_RANK; cpu and cuda:N are kept; too few GPUs is an error', () => {
    assert.equal(rankDevice('cuda', { ...spec, localRank: 1 }, 2), 'cuda:1');
    assert.equal(rankDevice('cuda', { ...spec, localRank: 0 }, 1), 'cuda:0');
    assert.equal(rankDevice('cuda:0', { ...spec, localRank: 1 }, 2), 'cuda:0');
    assert.equal(rankDevice('cpu', { ...spec, localRank: 5 }, 0), 'cpu');
    assert.throws(() => rankDevice('cuda', { ...spec, localRank: 2 }, 2), /LOCAL_RANK 2 has no GPU of its own \(2 visible\)/);
  });

  test('NCCL where each rank has its own GPU and the build has it, else Gloo; an explicit choice wins', () => {
    const both = ['gloo', 'nccl'] as const;
    assert.equal(chooseBackend('cuda', undefined, both), 'nccl');
    assert.equal(chooseBackend('cuda', undefined, ['gloo']), 'gloo');
    assert.equal(chooseBackend('cuda:0', undefined, both), 'gloo', 'ranks sharing one GPU cannot use NCCL');
    assert.equal(chooseBackend('cpu', undefined, both), 'gloo');
    assert.equal(chooseBackend('cuda:0', 'nccl', both), 'nccl');
    assert.equal(chooseBackend('cuda', 'gloo', both), 'gloo');
  });

  test("the build's backends: Gloo where it has c10d, NCCL only with CUDA; an NCCL group is refused with the reason", () => {
    assert.deepEqual(distBackends().includes('gloo'), distAvailable());
    if (!cudaBuild()) assert.ok(!distBackends().includes('nccl'), 'a CPU build has no NCCL');
    // Both checks come before any rendezvous: nothing listens on port 1.
    if (distBackends().includes('nccl')) {
      assert.throws(
        () => ProcessGroup.init({ ...spec, backend: 'nccl' }, 'cpu'),
        /NCCL reduces CUDA tensors only; this rank computes on cpu/,
      );
    } else {
      assert.throws(() => ProcessGroup.init({ ...spec, backend: 'nccl' }, 'cuda:0'), /this build of the addon has no NCCL/);
    }
  });

  test(
    'b2b train with B2B_DIST_BACKEND=nccl on a build without NCCL stops with that reason',
    { skip: distBackends().includes('nccl') ? 'this build has NCCL' : false },
    async () => {
      const data = join(root, 'nccl-pairs');
      for (const d of ['blur', 'sharp']) mkdirSync(join(data, d), { recursive: true });
      for (let i = 0; i < 2; i++) {
        await writeRandomImage(join(data, 'sharp', `s${i}_00.png`), 64, 64, i);
        await writeRandomImage(join(data, 'blur', `s${i}_00.png`), 64, 64, i, { scale: 0.8 });
      }
      const out = join(root, 'nccl-run');
      const r = spawnSync(
        process.execPath,
        [join(ROOT, 'dist/src/cli/b2b.js'), 'train', 'deblur', '--pairs', data, '--steps', '1', '--crop', '32', '--out', out],
        {
          encoding: 'utf8',
          timeout: 60_000,
          env: { ...process.env, RANK: '0', WORLD_SIZE: '1', MASTER_PORT: '1', B2B_DIST_BACKEND: 'nccl' },
        },
      );
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /this build of the addon has no NCCL/);
      assert.equal(existsSync(join(out, 'model.safetensors')), false);
    },
  );
});
