// A data-parallel worker for the tests, run as its own process: a tiny NAFNet trained through the
// training loop on seeded batches, in the group the environment describes (RANK, WORLD_SIZE,
// MASTER_PORT; none: one process). Writes its weights to $DP_OUT/rank<r>.safetensors.
//   DP_STEPS, DP_BATCH    the run's length and global batch
//   DP_RUN                the run folder (resumed when DP_RESUME=1)
//   DP_STOP_AT=k          SIGTERM to itself after step k (the loop saves and stops; the others follow)
//   DP_EXIT_AT=k          exit(9) after step k (a killed worker)
//   DP_DEVICE             cpu (default), cuda (a GPU per rank: NCCL where the build has it) or cuda:N
import { join } from 'node:path';
import { Generator, manualSeed, noGrad, rand, scope, type Device } from '../../src/tensor/index.js';
import { NAFNet } from '../../src/models/index.js';
import { AdamW } from '../../src/optim/index.js';
import { saveWeights } from '../../src/io/weights.js';
import { RunDir } from '../../src/train/run.js';
import { trainLoop, type DataSource } from '../../src/train/trainer.js';
import { DataParallel, groupFromEnv, shardBatch } from '../../src/train/data-parallel.js';
import { releaseBatch, type Batch } from '../../src/data/datasets/loader.js';
import { psnrLoss } from '../../src/losses/restoration.js';

const env = process.env;

// The test runner also loads this file (it lies under dist/test): without DP_OUT it does nothing.
if (env.DP_OUT !== undefined) await worker();

async function worker(): Promise<void> {
  const steps = Number(env.DP_STEPS ?? 4),
    batch = Number(env.DP_BATCH ?? 4);
  const device = (env.DP_DEVICE ?? 'cpu') as Device;
  const spec = groupFromEnv();
  const dp = spec ? DataParallel.init(spec, device) : undefined;
  const rank = dp?.rank ?? 0;
  const here = dp?.device ?? (device === 'cuda' ? 'cuda:0' : device);

  manualSeed(rank === 0 ? 0 : 1000 + rank); // other ranks start elsewhere: the broadcast must fix it
  const model = new NAFNet({ width: 4, encBlocks: [1], middleBlocks: 1, decBlocks: [1] });
  if (here !== 'cpu') model.to(here);
  const optimizer = new AdamW(model.parameters(), { lr: 3e-3 });

  /** Batch s: a pure function of s, the same global batch on every rank. */
  class Seeded implements DataSource<Batch> {
    private s = 0;
    async next(): Promise<Batch> {
      const s = this.s++;
      return noGrad(() =>
        scope(() => {
          const sharp = rand([batch, 3, 16, 16], { generator: new Generator(100 + s) });
          return { blurry: sharp.mul(0.7).add(0.1).keep(), sharp: sharp.keep(), files: [], epoch: 0, index: s };
        }),
      );
    }
    get position(): number {
      return this.s;
    }
    restore(p: number): void {
      this.s = p;
    }
  }

  const dir = env.DP_RUN!;
  const run =
    env.DP_RESUME === '1'
      ? rank === 0
        ? RunDir.open(dir)
        : new RunDir(dir, false)
      : rank === 0
        ? RunDir.create(dir, { test: 'dp' })
        : new RunDir(dir, false);
  await trainLoop<Batch>({
    run,
    parts: [{ name: 'model', model, optimizer }],
    data: new Seeded(),
    steps,
    baseLr: 3e-3,
    schedule: { kind: 'cosine', total: steps },
    step: (b) => ({ loss: psnrLoss(model.forward(b.blurry.to(here)), b.sharp!.to(here)) }),
    release: releaseBatch,
    shard: shardBatch,
    dp,
    valEvery: 1000,
    ckptEvery: 1,
    resume: env.DP_RESUME === '1',
    quiet: true,
    onStep: (step) => {
      if (Number(env.DP_STOP_AT) === step) process.kill(process.pid, 'SIGTERM');
      if (Number(env.DP_EXIT_AT) === step) process.exit(9);
    },
  });
  saveWeights(join(env.DP_OUT!, `rank${rank}.safetensors`), model.stateDict());
  dp?.destroy();
}
