// Architecture ids for the command line (weights import, training commands): one typed union and
// one switch, no registry. Each id is an architecture at a named size preset.
import type { Module } from '../nn/index.js';
import { NAFNet } from './nafnet.js';
import { MIMOUNet } from './mimo-unet.js';
import { PatchGAN } from './patchgan.js';
import { VGGFeatures } from './vgg.js';
import { KernelWizard } from './kernel-wizard.js';
import { BlurClassifier } from './blur-classifier.js';

/** Every architecture id the command line and the weights files name. */
export const ARCH_IDS = [
  'nafnet-gopro-width32',
  'nafnet-gopro-width64',
  'nafnet-small',
  'nafnet-small24',
  'nafnet-small32',
  'mimo-unet',
  'mimo-unet-plus',
  'mimo-unet-small',
  'patchgan',
  'patchgan-small',
  'vgg16',
  'vgg19',
  'kernel-wizard',
  'kernel-wizard-vae',
  'kernel-wizard-small',
  'blur-classifier-small',
] as const;
/** An architecture at a named preset (nafnet-small32, mimo-unet-small, …). */
export type ArchId = (typeof ARCH_IDS)[number];

/** Short spellings accepted on the command line. */
const ALIASES: Record<string, ArchId> = {
  'nafnet-gopro-w32': 'nafnet-gopro-width32',
  'nafnet-gopro-w64': 'nafnet-gopro-width64',
  'mimo-unet+': 'mimo-unet-plus',
};

/** An architecture id from its name or alias; an error lists the ids. */
export function parseArch(s: string): ArchId {
  const id = Object.hasOwn(ALIASES, s) ? ALIASES[s]! : s;
  if (!(ARCH_IDS as readonly string[]).includes(id)) {
    throw new Error(`unknown architecture '${s}' (one of: ${ARCH_IDS.join(', ')})`);
  }
  return id as ArchId;
}

/** A freshly initialised network of that architecture and preset. */
export function buildArch(id: ArchId): Module {
  switch (id) {
    case 'nafnet-gopro-width32':
      return new NAFNet('gopro-width32');
    case 'nafnet-gopro-width64':
      return new NAFNet('gopro-width64');
    case 'nafnet-small':
      return new NAFNet('small');
    case 'nafnet-small24':
      return new NAFNet('small24');
    case 'nafnet-small32':
      return new NAFNet('small32');
    case 'mimo-unet':
      return new MIMOUNet('mimo-unet');
    case 'mimo-unet-plus':
      return new MIMOUNet('mimo-unet-plus');
    case 'mimo-unet-small':
      return new MIMOUNet('small');
    case 'patchgan':
      return new PatchGAN('paper');
    case 'patchgan-small':
      return new PatchGAN('small');
    case 'vgg16':
      return new VGGFeatures({ depth: 16 });
    case 'vgg19':
      return new VGGFeatures({ depth: 19 });
    case 'kernel-wizard':
      return new KernelWizard('paper');
    case 'kernel-wizard-vae':
      return new KernelWizard('paper-vae');
    case 'kernel-wizard-small':
      return new KernelWizard('small');
    case 'blur-classifier-small':
      return new BlurClassifier('small');
  }
}
