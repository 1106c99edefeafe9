// Neural-network modules.
export { Module, StateDictError, type Layer, type StateDict, type LoadOptions, type LoadReport } from './module.js';
export { Conv2d, ConvTranspose2d, type Conv2dOptions, type ConvTranspose2dOptions } from './conv.js';
export { Linear } from './linear.js';
export { LayerNorm2d, InstanceNorm2d, BatchNorm2d, type InstanceNorm2dOptions } from './norm.js';
export { ReLU, LeakyReLU, GELU, Sigmoid, Tanh, Identity, PixelShuffle, PixelUnshuffle, Sequential, ModuleList, Dropout } from './layers.js';
export * as init from './init.js';
