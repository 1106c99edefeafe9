// Trained models by run folder or weights file, for inference and evaluation: the architecture comes
// from the file's metadata (every model.safetensors the trainers write records it), or from the caller
// for foreign files (.pth); the kind the file records (deblurrer, translator, …) must be the one asked for.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { scope, type Device } from '../tensor/index.js';
import type { Module } from '../nn/index.js';
import {
  NAFNet,
  buildBlurClassifier,
  buildDeblurrer,
  buildTranslator,
  parseArch,
  type ArchId,
  type BlurClassifier,
  type Deblurrer,
  type MIMOUNet,
} from '../models/index.js';
import { loadWeights, readWeightsMetadata } from '../io/weights.js';

/** The weights file of a run folder (model.safetensors) or the file itself. */
export function weightsFile(spec: string): string {
  const file = /\.(safetensors|pth|pt|ckpt|bin)$/.test(spec) ? spec : join(spec, 'model.safetensors');
  if (!existsSync(file)) {
    throw new Error(
      spec === file
        ? `${file}: no such weights file`
        : `${spec}: no model.safetensors (not a finished run folder; resume the run or give a weights file)`,
    );
  }
  return file;
}

/** The architecture recorded in a weights file, else `fallback`, else an error naming the file. */
export function archOf(file: string, fallback?: string): ArchId {
  const recorded = file.endsWith('.safetensors') ? readWeightsMetadata(file).arch : undefined;
  const arch = recorded ?? fallback;
  if (!arch) throw new Error(`${file}: the file does not record its architecture; give it (--arch)`);
  return parseArch(arch);
}

/** Loads a weights file into a built module (strict: every key and shape), releasing the module on error. */
export function loadInto<M extends Module>(m: M, file: string): M {
  try {
    scope(() => m.loadStateDict(loadWeights(file), {}, file));
  } catch (e) {
    m.dispose();
    throw e;
  }
  return m;
}

/** What a weights file says it holds ('deblurrer', 'translator', 'kernel-wizard'), if it says. */
function recordedKind(file: string): string | undefined {
  return file.endsWith('.safetensors') ? readWeightsMetadata(file).kind : undefined;
}

function checkKind(file: string, want: string): void {
  const kind = recordedKind(file);
  if (kind !== undefined && kind !== want) throw new Error(`${file}: this file holds a ${kind}, not a ${want}`);
}

/**
 * A deblurrer (NAFNet or MIMO-UNet) in eval mode. tlc: the crop size it was trained on, to pool its
 * channel attention locally on larger images (NAFNet's test-time local converter; NAFNet only).
 */
export function loadDeblurrer(spec: string, arch?: string, tlc?: number, device: Device = 'cpu'): Deblurrer {
  const file = weightsFile(spec);
  checkKind(file, 'deblurrer');
  const m = buildDeblurrer(archOf(file, arch));
  if (tlc !== undefined && !(m instanceof NAFNet)) {
    m.dispose();
    throw new Error(`${file}: --tlc applies to NAFNet deblurrers, this is a MIMO-UNet`);
  }
  loadInto(m, file);
  if (tlc !== undefined) (m as NAFNet).useLocalPooling(tlc);
  if (device !== 'cpu') m.to(device);
  return m.eval();
}

/** The --tlc option's value: a training crop size in pixels, or undefined when not given. */
export function tlcOption(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 8) throw new Error(`--tlc is the crop size the deblurrer was trained on (an integer ≥ 8), got '${v}'`);
  return n;
}

/** A translator G (MIMO-UNet) in eval mode, on `device`. */
export function loadTranslator(spec: string, arch?: string, device: Device = 'cpu'): MIMOUNet {
  const file = weightsFile(spec);
  checkKind(file, 'translator');
  const id = archOf(file, arch ?? 'mimo-unet');
  if (!id.startsWith('mimo-unet')) throw new Error(`${file}: a translator is a MIMO-UNet, this file holds a ${id}`);
  const g = loadInto(buildTranslator(id), file);
  const sigma = file.endsWith('.safetensors') ? readWeightsMetadata(file).input_sigma : undefined;
  if (sigma !== undefined) g.withInputBlur(Number(sigma));
  if (device !== 'cpu') g.to(device);
  return g.eval();
}

/** A blur-domain classifier in eval mode and the crop side it was trained on (its tile size). */
export function loadBlurClassifier(spec: string, device: Device = 'cpu'): { model: BlurClassifier; crop: number } {
  const file = weightsFile(spec);
  checkKind(file, 'domain-classifier');
  const id = archOf(file, 'blur-classifier-small');
  const m = loadInto(buildBlurClassifier(id), file);
  if (device !== 'cpu') m.to(device);
  const crop = Number(file.endsWith('.safetensors') ? (readWeightsMetadata(file).crop ?? 96) : 96);
  return { model: m.eval(), crop };
}
