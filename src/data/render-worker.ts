// The render worker process (forked by src/data/render-prefetch.ts): loads the photo pool once, then
// answers batch and validation requests with raw float32 arrays. It exits with its parent.
import { RenderedPairs, loadPhotoPool } from './rendered-pairs.js';
import { toWire, type WorkerRequest, type WorkerReply } from './render-prefetch.js';
import { noGrad } from '../tensor/index.js';

let pairs: RenderedPairs | undefined;
let queue = Promise.resolve();

const reply = (key: string, r: WorkerReply): void => {
  process.send!({ ...r, key });
};

async function handle(m: WorkerRequest & { key: string }): Promise<void> {
  try {
    if (m.kind === 'init') {
      const pool = await loadPhotoPool(m.o.photos, { exclude: new Set(m.o.exclude), maxSide: m.o.maxSide });
      pairs = new RenderedPairs(pool, m.o);
      reply(m.key, { kind: 'ready', photos: pool.length });
      return;
    }
    if (!pairs) throw new Error('render worker: not initialised');
    const r = m.kind === 'batch' ? await pairs.batchAt(m.step) : await pairs.validation(m.n);
    const data = noGrad(() => toWire(r.blurry, r.sharp));
    r.blurry.dispose();
    r.sharp.dispose();
    reply(m.key, m.kind === 'batch' ? { kind: 'batch', step: m.step, data } : { kind: 'validation', data });
  } catch (e) {
    reply(m.key, { kind: 'error', message: (e as Error).message });
  }
}

// One request at a time, in order of arrival.
process.on('message', (m: WorkerRequest & { key: string }) => {
  queue = queue.then(() => handle(m));
});
process.on('disconnect', () => process.exit(0));
