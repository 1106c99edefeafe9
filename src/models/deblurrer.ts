// Typed builders over the architecture ids, and the deblurring call every caller shares. A deblurrer is a
// NAFNet or a MIMO-UNet (its full-scale output); a translator G is a MIMO-UNet; a KernelWizard extracts
// and re-applies blur. Each builder refuses an id of another family with the id in the message.
import type { Device, Tensor } from '../tensor/index.js';
import type { Module } from '../nn/index.js';
import { buildArch, type ArchId } from './arch.js';
import { NAFNet } from './nafnet.js';
import { MIMOUNet } from './mimo-unet.js';
import { KernelWizard } from './kernel-wizard.js';
import { BlurClassifier } from './blur-classifier.js';

/** A deblurrer: NAFNet or MIMO-UNet. */
export type Deblurrer = NAFNet | MIMOUNet;

function build<T>(arch: ArchId, is: (m: unknown) => m is T, what: string): T {
  const m = buildArch(arch);
  if (is(m)) return m;
  m.dispose();
  throw new Error(`${arch} is not ${what}`);
}

/** A freshly initialised deblurrer (NAFNet or MIMO-UNet) of that id. */
export function buildDeblurrer(arch: ArchId): Deblurrer {
  return build(arch, (m): m is Deblurrer => m instanceof NAFNet || m instanceof MIMOUNet, 'a deblurrer (NAFNet or MIMO-UNet)');
}

/** A freshly initialised translator G (a MIMO-UNet id: mimo-unet-small, mimo-unet, mimo-unet-plus). */
export function buildTranslator(arch: ArchId): MIMOUNet {
  return build(arch, (m): m is MIMOUNet => m instanceof MIMOUNet, 'a translator (MIMO-UNet)');
}

/** A freshly initialised KernelWizard of that id. */
export function buildKernelWizard(arch: ArchId): KernelWizard {
  return build(arch, (m): m is KernelWizard => m instanceof KernelWizard, 'a KernelWizard');
}

/** A freshly initialised blur-domain classifier of that id. */
export function buildBlurClassifier(arch: ArchId): BlurClassifier {
  return build(arch, (m): m is BlurClassifier => m instanceof BlurClassifier, 'a blur-domain classifier');
}

/** The device a module's parameters are on ('cpu' for a module without any). */
export function deviceOf(m: Module): Device {
  return m.parameters()[0]?.device ?? 'cpu';
}

/** The deblurred image [N, 3, H, W] of any size (MIMO-UNet: its full-scale output). */
export function deblur(model: Deblurrer, x: Tensor): Tensor {
  return model instanceof NAFNet ? model.forward(x) : model.forwardAnySize(x)[2];
}
