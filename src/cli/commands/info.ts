// b2b info: what the engine runs on.
import {
  allocatorStats,
  cudaAvailable,
  cudaBuild,
  cudaDeviceCount,
  distAvailable,
  distBackends,
  getNumThreads,
  parallelInfo,
  torchVersion,
} from '../../tensor/index.js';
import { VERSION } from '../version.js';
import { cudaSummary, parse } from '../usage.js';

const HELP = `usage: b2b info [--verbose]
  Prints the libtorch version, intra-op threads ($B2B_THREADS overrides; default every core),
  CUDA devices, data parallelism and the caching allocator's figures. --verbose adds libtorch's parallel
  build info; --json prints one JSON object.`;

export function info(argv: string[]): void {
  const { values } = parse(argv, { verbose: { type: 'boolean' }, json: { type: 'boolean' } }, HELP);
  const a = allocatorStats();
  if (values.json) {
    const devices = ['cpu', ...Array.from({ length: cudaAvailable() ? cudaDeviceCount() : 0 }, (_, i) => `cuda:${i}`)];
    console.log(
      JSON.stringify({
        version: VERSION,
        libtorch: torchVersion(),
        threads: getNumThreads(),
        cudaBuild: cudaBuild(),
        devices,
        distributed: distAvailable(),
        distBackends: distBackends(),
        allocator: a,
      }),
    );
    return;
  }
  const mb = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MB`;
  console.log(`blur2blur ${VERSION}`);
  console.log(`libtorch ${torchVersion()}`);
  console.log(`threads  ${getNumThreads()}`);
  console.log(`cuda     ${cudaSummary()}`);
  console.log(
    `devices  cpu${cudaAvailable() ? Array.from({ length: cudaDeviceCount() }, (_, i) => `, cuda:${i}`).join('') : ''} (--device on every command that computes)`,
  );
  console.log(`allocator caching, in use ${mb(a.inUseBytes)}, cached ${mb(a.cachedBytes)}, cache limit ${mb(a.cacheLimitBytes)}`);
  const backends = distBackends().map((b) => (b === 'nccl' ? 'NCCL' : 'Gloo'));
  console.log(
    `parallel ${distAvailable() ? `c10d process groups: ${backends.join(', ')} (--nproc, RANK/WORLD_SIZE)` : 'no c10d in this build'}`,
  );
  if (values.verbose) console.log(parallelInfo());
}
