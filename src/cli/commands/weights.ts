// b2b weights inspect|convert: look into checkpoints and convert PyTorch files to safetensors.
import { existsSync } from 'node:fs';
import { readStateDict } from '../../io/pth.js';
import { writeSafetensors } from '../../io/safetensors.js';
import { numel } from '../../io/raw-tensor.js';
import { parse, UsageError } from '../usage.js';

const HELP = `usage:
  b2b weights inspect FILE                 list tensors (key, dtype, shape) and the parameter count
  b2b weights convert FILE --out OUT.safetensors
FILE: .safetensors, or a PyTorch checkpoint (.pth/.pt/.ckpt, zip or legacy format) holding a state dict,
possibly wrapped as {'params': …}, {'params_ema': …}, {'state_dict': …} or {'model': …}. Checkpoints are
read as data: pickled code is refused, never run.`;

export function weights(argv: string[]): void {
  const { values, positionals } = parse(argv, { out: { type: 'string', short: 'o' } }, HELP);
  const [sub, file] = positionals;
  if (values.help || sub === undefined) {
    console.log(HELP);
    return;
  }
  if (file === undefined) throw new UsageError(`weights ${sub}: give a FILE\n\n${HELP}`);
  if (!existsSync(file)) throw new Error(`${file}: no such file`);
  const sd = readStateDict(file);
  if (sub === 'inspect') {
    let total = 0;
    for (const [k, t] of sd) {
      total += numel(t.shape);
      console.log(`${k}\t${t.dtype}\t[${t.shape.join(', ')}]`);
    }
    console.log(`${sd.size} tensors, ${total.toLocaleString('en-US')} values`);
  } else if (sub === 'convert') {
    if (!values.out) throw new UsageError(`weights convert: give --out FILE.safetensors\n\n${HELP}`);
    writeSafetensors(values.out, sd, { source: file });
    console.log(`wrote ${values.out}: ${sd.size} tensors`);
  } else {
    throw new UsageError(`unknown weights subcommand '${sub}'\n\n${HELP}`);
  }
}
