// The networks of blur2blur.
export { NAFNet, NAFBlock, NAFNET_PRESETS, type NAFNetOptions, type NAFNetPreset } from './nafnet.js';
export { MIMOUNet, MIMO_PRESETS, type MIMOUNetOptions, type MIMOPreset } from './mimo-unet.js';
export { PatchGAN, PATCHGAN_PRESETS, type PatchGANOptions, type PatchGANPreset } from './patchgan.js';
export { VGGFeatures, type VGGOptions, type VGGDepth } from './vgg.js';
export {
  KernelWizard,
  KERNEL_WIZARD_PRESETS,
  type KernelWizardOptions,
  type KernelWizardPreset,
  type BlurKernel,
} from './kernel-wizard.js';
export { BlurClassifier, BLUR_CLASSIFIER_PRESETS, type BlurClassifierOptions, type BlurClassifierPreset } from './blur-classifier.js';
export { ARCH_IDS, buildArch, parseArch, type ArchId } from './arch.js';
export { seedWeights } from './seed-weights.js';
export { buildDeblurrer, buildTranslator, buildKernelWizard, buildBlurClassifier, deblur, deviceOf, type Deblurrer } from './deblurrer.js';
