// Loads the native shim (native/ → build/Release/b2b_native.node) and types its surface.
// Everything above this file is TypeScript; nothing else imports the addon directly.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type TypedArray =
  | Float32Array | Float64Array | Uint16Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

export interface NativeTensor {
  dispose(): void;
  isDisposed(): boolean;
  shape(): number[];
  strides(): number[];
  dtype(): string;
  device(): string;
  numel(): number;
  dim(): number;
  isContiguous(): boolean;
  requiresGrad(): boolean;
  setRequiresGrad(on: boolean): void;
  grad(): NativeTensor | undefined;
  setGrad(g?: NativeTensor): void;
  isLeaf(): boolean;
  toArray(): TypedArray;
  item(): number | boolean;
  sameStorage(other: NativeTensor): boolean;
  setData(other: NativeTensor): void;
}

export interface NativeGenerator {
  seed(): bigint;
  manualSeed(seed: number | bigint): void;
  getState(): NativeTensor;
  setState(state: NativeTensor): void;
  device(): string;
}

export interface AllocatorStats {
  inUseBytes: number;
  cachedBytes: number;
  peakInUseBytes: number;
  hits: number;
  misses: number;
  cacheLimitBytes: number;
}

export interface NativeAddon {
  torchVersion: string;
  fromArray(data: TypedArray, shape: readonly number[], dtype: string, device: string): NativeTensor;
  liveTensors(): number;
  op(name: string, overload: string): number;
  opSchema(id: number): string;
  call(id: number, ...args: unknown[]): unknown;
  callVoid(id: number, ...args: unknown[]): void;
  backward(tensors: NativeTensor[], grads: (NativeTensor | undefined)[] | undefined, retainGraph: boolean, createGraph: boolean): void;
  grad(outputs: NativeTensor[], inputs: NativeTensor[], gradOutputs: (NativeTensor | undefined)[] | undefined,
    retainGraph: boolean, createGraph: boolean, allowUnused: boolean): (NativeTensor | undefined)[];
  isGradEnabled(): boolean;
  setGradEnabled(on: boolean): boolean;
  newGenerator(seed: number | bigint, device: string): NativeGenerator;
  manualSeed(seed: number): void;
  allocatorStats(): AllocatorStats;
  emptyCache(): void;
  setCacheLimit(bytes: number): void;
  setCachingEnabled(on: boolean): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  cudaAvailable(): boolean;
  cudaDeviceCount(): number;
  parallelInfo(): string;
  NativeTensor: new () => NativeTensor;
}

function load(): NativeAddon {
  const path = process.env.B2B_NATIVE ??
    fileURLToPath(new URL('../../../native/build/Release/b2b_native.node', import.meta.url));
  if (!existsSync(path)) {
    throw new Error(`blur2blur native addon not found at ${path}: run 'npm run setup' to build it`);
  }
  return createRequire(import.meta.url)(path) as NativeAddon;
}

export const native: NativeAddon = load();
