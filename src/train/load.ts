// Trained models by run folder or weights file: the architecture comes from the file's metadata (every
// model.safetensors the trainers write records it), or from the caller for foreign files (.pth).
import { scope } from '../tensor/index.js';
import { MIMOUNet, NAFNet, parseArch, type ArchId } from '../models/index.js';
import { loadWeights, readWeightsMetadata } from '../io/weights.js';
import { buildDeblurrer, type Deblurrer } from './deblur.js';
import { weightsFile } from './run.js';

export { weightsFile };

/** The architecture recorded in a weights file, else `fallback`, else an error naming the file. */
export function archOf(file: string, fallback?: string): ArchId {
  const recorded = file.endsWith('.safetensors') ? readWeightsMetadata(file).arch : undefined;
  const arch = recorded ?? fallback;
  if (!arch) throw new Error(`${file}: the file does not record its architecture; give it (--arch)`);
  return parseArch(arch);
}

/**
 * A deblurrer (NAFNet or MIMO-UNet) in eval mode. tlc: the crop size it was trained on, to pool its
 * channel attention locally on larger images (NAFNet's test-time local converter; NAFNet only).
 */
export function loadDeblurrer(spec: string, arch?: string, tlc?: number): Deblurrer {
  const file = weightsFile(spec);
  const m = buildDeblurrer(archOf(file, arch));
  if (tlc !== undefined && !(m instanceof NAFNet)) {
    m.dispose();
    throw new Error(`${file}: --tlc applies to NAFNet deblurrers, this is a MIMO-UNet`);
  }
  scope(() => m.loadStateDict(loadWeights(file), {}, file));
  if (tlc !== undefined) (m as NAFNet).useLocalPooling(tlc);
  return m.eval();
}

/** The --tlc option's value: a training crop size in pixels, or undefined when not given. */
export function tlcOption(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 8) throw new Error(`--tlc is the crop size the deblurrer was trained on (an integer ≥ 8), got '${v}'`);
  return n;
}

/** A translator G (MIMO-UNet) in eval mode. */
export function loadTranslator(spec: string, arch?: string): MIMOUNet {
  const file = weightsFile(spec);
  const id = archOf(file, arch ?? 'mimo-unet');
  if (!id.startsWith('mimo-unet')) throw new Error(`${file}: a translator is a MIMO-UNet, this file holds a ${id}`);
  const g = new MIMOUNet(id === 'mimo-unet-small' ? 'small' : id === 'mimo-unet-plus' ? 'mimo-unet-plus' : 'mimo-unet');
  scope(() => g.loadStateDict(loadWeights(file), {}, file));
  return g.eval();
}
