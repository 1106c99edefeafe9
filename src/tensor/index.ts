// The tensor API: import from here (it installs every Tensor method).
import './methods/math.js';
import './methods/shape.js';
import './methods/reduce.js';

export { Tensor, liveTensors } from './tensor.js';
export { scope, scopeDepth } from './scope.js';
export type { DType, Device } from './dtype.js';
export { isFloating, isDType } from './dtype.js';
export * from './create.js';
export { cat, stack, where } from './methods/shape.js';
export type { ReduceOptions, VarOptions, ValuesIndices } from './methods/reduce.js';
export { grad, noGrad, enableGrad, isGradEnabled, type GradOptions } from './autograd.js';
export * as F from './functional.js';
export * from './runtime.js';
export { autocast, autocastState, withoutAutocast, type AmpDtype } from './autocast.js';
export { ProcessGroup, distAvailable, distBackends, type DistBackend, type GroupSpec } from './dist.js';
export { recordCalls, activeRecorder, type CallRecorder, type FusedKernel } from './trace.js';
