// b2b make-known: the known-blur set K from the target camera's sharp images.
import { loadCamera } from '../../data/camera/config.js';
import { makeKnownWithKernel, makeKnownWithSimulator } from '../../train/make-known.js';
import { checkDevice, DEVICE_HELP, parse, stringFlags, UsageError } from '../usage.js';
import { outputMode, printResult, TaskProgress } from '../progress.js';

const HELP = `usage:
  b2b make-known --kernel RUN|FILE --pairs DIR --sharp S_DIR --out K_DIR [--seed N]
      each sharp image s of the target camera gets the blur of a random known pair (x, y): F(s, E(x, y))
      (KernelWizard route: images are centre-cropped to multiples of 128, at least 256)
  b2b make-known --camera PRESET|config.json --sharp S_DIR --out K_DIR [--seed N] [--downscale F]
      when the known domain is a simulated camera: its motion blur alone, applied to S
      --downscale F: average S over F×F blocks in linear light first (noise ÷ F), so that K is
      clean like the known camera's images rather than noisy like the target's
  --device D  ${DEVICE_HELP}
  --quiet     no progress      --json   progress and the result as JSON lines
K keeps the target camera's colours, noise and optics, so that K and B differ in blur only.`;

export async function makeKnown(argv: string[]): Promise<void> {
  const { values } = parse(
    argv,
    {
      ...stringFlags('kernel', 'camera', 'pairs', 'sharp', 'out', 'seed', 'downscale', 'device'),
      quiet: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    HELP,
  );
  const progress = new TaskProgress('make-known', outputMode(values), 'images');
  const onProgress = (done: number, total: number): void => progress.update(done, total);
  const device = checkDevice(values.device, 'make-known');
  if (!values.sharp || !values.out) throw new UsageError(`make-known: give --sharp and --out\n\n${HELP}`);
  if (Boolean(values.kernel) === Boolean(values.camera))
    throw new UsageError(`make-known: give either --kernel (with --pairs) or --camera\n\n${HELP}`);
  const seed = values.seed === undefined ? 0 : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`make-known: --seed must be a non-negative integer`);
  const downscale = values.downscale === undefined ? 1 : Number(values.downscale);
  if (!Number.isInteger(downscale) || downscale < 1)
    throw new UsageError(`make-known: --downscale must be a positive integer, got '${values.downscale}'`);
  if (values.kernel && downscale !== 1) throw new UsageError('make-known: --downscale is for the simulator route (--camera)');
  const t0 = performance.now();
  const m = values.kernel
    ? await (async () => {
        if (!values.pairs) throw new UsageError(`make-known: the kernel route needs --pairs (the known pairs)\n\n${HELP}`);
        return makeKnownWithKernel({
          kernel: values.kernel!,
          pairs: values.pairs,
          sharp: values.sharp!,
          out: values.out!,
          seed,
          device,
          onProgress,
        });
      })()
    : await makeKnownWithSimulator({
        camera: loadCamera(values.camera!),
        sharp: values.sharp,
        out: values.out,
        seed,
        downscale,
        device,
        onProgress,
      });
  const seconds = (performance.now() - t0) / 1000;
  printResult(
    progress.mode,
    { out: values.out, images: m.entries.length, route: m.route, seconds: +seconds.toFixed(1) },
    `wrote ${m.entries.length} known-blur images to ${values.out} (${m.route} route, ${seconds.toFixed(1)} s)`,
  );
}
