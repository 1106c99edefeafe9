// Data parallel on this machine: one process with 2 threads against 2 processes with 1 thread each
// (c10d, Gloo on 127.0.0.1), on the same global batch, for the deblurrer's and the translator's
// training steps. Prints images per second and the ratio (above 1: processes use the cores better).
//   npm run bench:ddp [-- --steps 10]
// The last line is one JSON object.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from '../../src/cli/launch.js';

const { values: args } = parseArgs({ options: { steps: { type: 'string', default: '10' } } });
const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

function run(kind: string, world: number, threads: number, port: number): Promise<{ seconds: number; steps: number }> {
  return Promise.all(
    Array.from(
      { length: world },
      (_, rank) =>
        new Promise<string>((resolve, reject) => {
          const env = {
            ...process.env,
            B2B_THREADS: String(threads),
            ...(world > 1 ? { RANK: String(rank), WORLD_SIZE: String(world), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port) } : {}),
          };
          const p = spawn(process.execPath, [WORKER, kind, args.steps!], { env, stdio: ['ignore', 'pipe', 'inherit'] });
          let out = '';
          p.stdout!.on('data', (b: Buffer) => (out += b.toString()));
          p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${kind} worker ${rank} exited with ${code}`))));
        }),
    ),
  ).then((outs) => JSON.parse(outs.find((o) => o.trim() !== '')!.trim()) as { seconds: number; steps: number });
}

const result: Record<string, number> = {};
for (const [kind, batch] of [
  ['deblur', 8],
  ['translator', 4],
] as const) {
  const one = await run(kind, 1, 2, 0);
  const two = await run(kind, 2, 1, await freePort());
  const a = (one.steps * batch) / one.seconds,
    b = (two.steps * batch) / two.seconds;
  console.log(
    `${kind}: 1 process × 2 threads ${a.toFixed(1)} img/s, 2 processes × 1 thread ${b.toFixed(1)} img/s, ratio ${(b / a).toFixed(2)}`,
  );
  Object.assign(result, {
    [`${kind}_1x2_img_s`]: +a.toFixed(2),
    [`${kind}_2x1_img_s`]: +b.toFixed(2),
    [`${kind}_ratio`]: +(b / a).toFixed(3),
  });
}
console.log(JSON.stringify(result));
