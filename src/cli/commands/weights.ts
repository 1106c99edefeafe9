// b2b weights inspect|convert: look into checkpoints and convert PyTorch files to safetensors.
import { existsSync } from 'node:fs';
import { readStateDict } from '../../io/pth.js';
import { writeSafetensors } from '../../io/safetensors.js';
import { numel } from '../../io/raw-tensor.js';
import { loadWeights, saveWeights } from '../../io/weights.js';
import { ARCH_IDS, buildArch, parseArch } from '../../models/index.js';
import { scope } from '../../tensor/index.js';
import { exportCheckpoint } from '../../train/export.js';
import { parse, UsageError } from '../usage.js';

const HELP = `usage:
  b2b weights inspect FILE [--json]        list tensors (key, dtype, shape) and the parameter count
  b2b weights convert FILE --out OUT.safetensors
  b2b weights export RUN [--checkpoint best|latest|final] [--half] --out OUT.safetensors
                                           a training run's model at its best-validation (default) or
                                           latest checkpoint, or its final model.safetensors, as a
                                           weights file (--half: stored as float16, half the size)
  b2b weights import FILE --arch ARCH --out OUT.safetensors
                                           check a checkpoint against an architecture (strict: every key and
                                           shape must match) and store it as safetensors with its arch
ARCH: ${ARCH_IDS.join(', ')}
FILE: .safetensors, or a PyTorch checkpoint (.pth/.pt/.ckpt, zip or legacy format) holding a state dict,
possibly wrapped as {'params': …}, {'params_ema': …}, {'state_dict': …} or {'model': …}. Checkpoints are
read as data: pickled code is refused, never run.`;

export function weights(argv: string[]): void {
  const { values, positionals } = parse(
    argv,
    {
      out: { type: 'string', short: 'o' },
      arch: { type: 'string' },
      checkpoint: { type: 'string' },
      half: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    HELP,
  );
  const [sub, file] = positionals;
  if (sub === undefined) throw new UsageError(`weights: give a subcommand\n\n${HELP}`);
  if (file === undefined) throw new UsageError(`weights ${sub}: give a FILE\n\n${HELP}`);
  if (sub === 'export') {
    const which = values.checkpoint ?? 'best';
    if (which !== 'best' && which !== 'latest' && which !== 'final')
      throw new UsageError(`weights export: --checkpoint is best, latest or final, got '${which}'`);
    if (!values.out) throw new UsageError(`weights export: give --out FILE.safetensors\n\n${HELP}`);
    const r = exportCheckpoint(file, which, values.out, { half: values.half });
    console.log(`wrote ${values.out}: ${r.arch} from ${r.file} (step ${r.step})`);
    return;
  }
  if (!existsSync(file)) throw new Error(`${file}: no such file`);
  const sd = readStateDict(file);
  if (sub === 'inspect') {
    const total = [...sd.values()].reduce((n, t) => n + numel(t.shape), 0);
    if (values.json) {
      const tensors = [...sd].map(([key, t]) => ({ key, dtype: t.dtype, shape: t.shape }));
      console.log(JSON.stringify({ file, tensors, values: total }));
      return;
    }
    for (const [k, t] of sd) console.log(`${k}\t${t.dtype}\t[${t.shape.join(', ')}]`);
    console.log(`${sd.size} tensors, ${total.toLocaleString('en-US')} values`);
  } else if (sub === 'import') {
    if (!values.out || !values.arch) throw new UsageError(`weights import: give --arch and --out\n\n${HELP}`);
    importWeights(file, parseArch(values.arch), values.out);
  } else if (sub === 'convert') {
    if (!values.out) throw new UsageError(`weights convert: give --out FILE.safetensors\n\n${HELP}`);
    writeSafetensors(values.out, sd, { source: file });
    console.log(`wrote ${values.out}: ${sd.size} tensors`);
  } else {
    throw new UsageError(`unknown weights subcommand '${sub}'\n\n${HELP}`);
  }
}

/** Loads FILE into the architecture (strictly) and writes the model's own state dict as safetensors. */
function importWeights(file: string, arch: ReturnType<typeof parseArch>, out: string): void {
  const model = buildArch(arch);
  try {
    scope(() => {
      let sd = loadWeights(file);
      if (arch === 'vgg16' || arch === 'vgg19') {
        // torchvision files also hold the classifier, which a feature extractor does not use.
        sd = new Map([...sd].filter(([k]) => k.startsWith('features.')));
      }
      model.loadStateDict(sd, {}, file);
    });
    const params = model.parameterCount();
    saveWeights(out, model.stateDict(), { arch, source: file, parameters: String(params) });
    console.log(`${file}: ${model.stateDict().size} tensors match ${arch} (${params.toLocaleString('en-US')} parameters); wrote ${out}`);
  } finally {
    model.dispose();
  }
}
