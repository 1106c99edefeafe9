// blur2blur: give a camera its own deblurrer, trained from unpaired footage of that camera (Blur2Blur,
// Pham et al., CVPR 2024): a translator G rewrites the camera's blur into a known blur, and a deblurrer
// D_K trained on that blur restores the image, deblur(y) = D_K(G(y)). This is the package's public
// surface; the engine is reached through the `blur2blur/tensor`, `/nn`, `/optim` and `/io` subpaths too.
//
//   import { loadDeblurrer, loadTranslator, restorePath } from 'blur2blur';
//   using dk = loadDeblurrer('weights/dk-gopro-like-nafnet-small32');
//   await restorePath({ deblurrer: dk, translator: null }, 'blurry.jpg', 'sharp.png');

// Models, architectures and weights.
export {
  NAFNet,
  MIMOUNet,
  PatchGAN,
  VGGFeatures,
  KernelWizard,
  BlurClassifier,
  NAFNET_PRESETS,
  ARCH_IDS,
  parseArch,
  buildArch,
  buildDeblurrer,
  buildTranslator,
  buildKernelWizard,
  deblur,
  deviceOf,
  type ArchId,
  type Deblurrer,
  type NAFNetOptions,
  type MIMOUNetOptions,
} from './models/index.js';
export { loadDeblurrer, loadTranslator, loadBlurClassifier, weightsFile, archOf } from './infer/load.js';

// Deblurring images, folders and videos.
export {
  restoreImage,
  restorePath,
  translateImage,
  inputKind,
  type Restorer,
  type RestoreReport,
  type InputKind,
} from './infer/restore.js';
export { readImage, writeImage, listImages, type ImageInfo, type WriteOptions } from './data/image.js';
export { probeVideo, readFrames, writeVideo } from './data/video.js';

// Simulated cameras and benchmarks.
export { loadCamera, CAMERA_PRESETS, type CameraConfig } from './data/camera/config.js';
export { render as renderCamera, type Rendered, type RenderOptions } from './data/camera/render.js';
export { generateBenchmark as simulate, type BenchmarkOptions, type BenchmarkManifest } from './data/benchmark.js';

// Training.
export { trainDeblur, resolveDeblurConfig, DEBLUR_DEFAULTS, type DeblurConfig, type DeblurResult } from './train/deblur.js';
export { trainKernel, resolveKernelConfig, KERNEL_DEFAULTS, type KernelConfig } from './train/kernel.js';
export { trainTranslator, type TranslatorResult } from './train/translator.js';
export {
  resolveTranslatorConfig,
  translatorConfig,
  RECIPES,
  SIZES,
  type TranslatorConfig,
  type RecipeName,
  type SizeName,
} from './train/translator-config.js';
export { trainCycleGAN, resolveCycleGANConfig, CYCLEGAN_DEFAULTS, type CycleGANConfig } from './train/cyclegan.js';
export { makeKnownWithSimulator, makeKnownWithKernel, type KnownManifest } from './train/make-known.js';
export {
  trainDomainClassifier,
  resolveDomainClassifierConfig,
  DOMAIN_CLASSIFIER_DEFAULTS,
  type DomainClassifierConfig,
} from './train/domain-classifier.js';
export { DataParallel, groupFromEnv } from './train/data-parallel.js';
export type { TrainOptions, TrainResult } from './train/trainer.js';

// Evaluation.
export { evaluatePairs, pipeline, CONVENTIONS, type EvalSummary, type ImageScore } from './eval/pipeline.js';
export { psnrPerImage, meanPsnr, PSNR_CAP } from './eval/psnr.js';
export { ssimPerImage, meanSsim } from './eval/ssim.js';
export { domainVerdict, imageLogit, type DomainVerdict } from './eval/domain.js';
export { niqe, fitNiqe, readNiqeModel, type NiqeModel } from './eval/niqe.js';

// Deployment: ONNX export (any function of an image batch, or D_K∘G) and its checks.
export { exportOnnx, OPSET, TRACE_SIZES, type OnnxOptions } from './export/onnx.js';
export { exportPipeline, pipelineFunction, pipelineParameters, describePipeline, type DeployModels } from './export/pipeline.js';
export { checkOnnx, type OnnxSummary } from './export/check.js';

// The engine, as namespaces (also the subpath exports blur2blur/tensor, /nn, /optim, /io).
export * as tensor from './tensor/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as io from './io/index.js';
