// Weights on disk: safetensors (read and write, atomic) and PyTorch checkpoints (.pth, zip and legacy),
// parsed as data with an allowlisted pickle subset, never executed.
export { loadWeights, saveWeights, readWeightsMetadata, allFinite, firstNonFinite, tensorFromRaw, rawFromTensor } from './weights.js';
export { readSafetensors, readSafetensorsMetadata, writeSafetensors } from './safetensors.js';
export { readPth, stateDictFrom } from './pth.js';
export type { RawTensor, RawDType } from './raw-tensor.js';
