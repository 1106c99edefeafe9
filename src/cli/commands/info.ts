// b2b info: what the engine runs on.
import { allocatorStats, cudaAvailable, cudaDeviceCount, getNumThreads, parallelInfo, torchVersion } from '../../tensor/index.js';
import { cudaSummary, parse } from '../usage.js';

const HELP = `usage: b2b info [--verbose]
  Prints the libtorch version, intra-op threads ($B2B_THREADS overrides; default every core),
  CUDA devices and the caching allocator's figures. --verbose adds libtorch's parallel build info.`;

export function info(argv: string[]): void {
  const { values } = parse(argv, { verbose: { type: 'boolean' } }, HELP);
  const a = allocatorStats();
  const mb = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MB`;
  console.log(`libtorch ${torchVersion()}`);
  console.log(`threads  ${getNumThreads()}`);
  console.log(`cuda     ${cudaSummary()}`);
  console.log(
    `devices  cpu${cudaAvailable() ? Array.from({ length: cudaDeviceCount() }, (_, i) => `, cuda:${i}`).join('') : ''} (--device on every command that computes)`,
  );
  console.log(`allocator caching, in use ${mb(a.inUseBytes)}, cached ${mb(a.cachedBytes)}, cache limit ${mb(a.cacheLimitBytes)}`);
  if (values.verbose) console.log(parallelInfo());
}
