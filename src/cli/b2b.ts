#!/usr/bin/env node
// b2b: the blur2blur command line.
import { benchCommand } from './commands/bench.js';
import { data } from './commands/data.js';
import { deblurCommand } from './commands/deblur.js';
import { demoCommand } from './commands/demo.js';
import { evalCommand } from './commands/eval.js';
import { exportCommand } from './commands/export.js';
import { info } from './commands/info.js';
import { niqeCommand } from './commands/niqe.js';
import { pilotsCommand } from './commands/pilots.js';
import { makeKnown } from './commands/make-known.js';
import { simulate } from './commands/simulate.js';
import { train } from './commands/train.js';
import { viewCommand } from './commands/view.js';
import { weights } from './commands/weights.js';
import { webCommand } from './commands/web.js';
import { didYouMean, HelpRequest, UsageError } from './usage.js';
import { VERSION } from './version.js';
import { StageInterrupted } from '../experiment/stages.js';

const HELP = `b2b — give a camera its own deblurrer (Blur2Blur, CVPR 2024) on libtorch

usage: b2b <command> [options]

commands:
  demo [--out DIR]              the demo: an unknown camera, D_K alone vs D_K∘G, table and report
  info                          engine facts: libtorch version, threads, devices, allocator
  weights inspect FILE          list the tensors of a .safetensors or PyTorch .pth checkpoint
  weights convert FILE --out F  convert a PyTorch checkpoint to safetensors (read as data, never executed)
  weights import FILE --arch A  check a checkpoint against an architecture and store it as safetensors
  weights export RUN --out F    a training run's model (best, latest or final) as a weights file
  simulate --camera C --out D   a simulated benchmark (B, S, test pairs) from real photos for one camera
  data photos|videos|average    fetch real photographs and videos; frame-averaged pairs from a video
  data domain PAIRS --out D     an unknown camera (B, S, test) from frame-averaged video
  train deblur --pairs DIR      train the known-domain deblurrer (NAFNet or MIMO-UNet)
  train kernel --pairs DIR      train KernelWizard on known pairs
  train translator --blur B --known K   train the Blur2Blur translator G (unknown blur → known blur)
  train synthetic|cyclegan      the paper's baselines (synthetic motion blur of S; CycleGAN B ↔ S)
  train domain-classifier       a blur-domain classifier (B against K) to check a translator
  make-known --sharp S --out K  the known-blur set K (KernelWizard route or simulator route)
  deblur INPUT --translator G --deblurrer D --out OUT   D_K(G(y)) on an image, a folder or a video
  eval --pairs T --deblurrer D  PSNR/SSIM of D(y) or, with --translator G, of D(G(y)) on test pairs
                                (--domain-classifier C --images DIR: how many G(y) look known-blur)
  bench --out DIR               the paper's experiment end to end: table, results.json, report.html
  view DIR | --input D --method N=D --gt D   a page to inspect restorations: slider, zoom, scores
  export onnx --deblurrer D [--translator G] --out F.onnx   D_K∘G as one ONNX graph (and each alone)
  web --out DIR --model F.onnx  a static page that deblurs photos in the browser (onnxruntime-web)
  niqe score DIR                no-reference NIQE of images without ground truth (niqe fit: its model)
  pilots RUN... --out DIR       deblurrer sizes compared: validation PSNR against FLOPs, fits to a budget

b2b <command> --help shows a command's options; b2b --version prints the version.`;

const commands: Record<string, (argv: string[]) => Promise<void> | void> = {
  info,
  weights,
  simulate,
  data,
  train,
  'make-known': makeKnown,
  eval: evalCommand,
  deblur: deblurCommand,
  bench: benchCommand,
  demo: demoCommand,
  niqe: niqeCommand,
  pilots: pilotsCommand,
  view: viewCommand,
  export: exportCommand,
  web: webCommand,
};

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    console.log(HELP);
    return;
  }
  if (cmd === '--version' || cmd === '-V') {
    console.log(VERSION);
    return;
  }
  const run = Object.hasOwn(commands, cmd) ? commands[cmd] : undefined;
  if (!run) throw new UsageError(`unknown command '${cmd}'${didYouMean(cmd, Object.keys(commands))}\n\n${HELP}`);
  await run(rest);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  if (e instanceof HelpRequest) {
    console.log(e.help);
    return;
  }
  if (e instanceof UsageError) {
    console.error(`b2b: ${e.message}`);
    process.exit(2);
  }
  console.error(`b2b: ${e instanceof Error ? e.message : String(e)}`);
  if (e instanceof StageInterrupted) process.exit(130); // stopped by a signal, as shells report it
  if (process.env.B2B_DEBUG && e instanceof Error) console.error(e.stack);
  process.exit(1);
});
