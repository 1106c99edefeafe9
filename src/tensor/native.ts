// Loads the native shim (native/ → build/Release/b2b_native.node) and types its surface.
// Everything above this file is TypeScript; nothing else imports the addon directly.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type TypedArray = Float32Array | Float64Array | Uint16Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

/** A tensor handle: an index into the addon's handle table (with a generation check). */
export type TensorHandle = number;

export interface NativeGenerator {
  seed(): bigint;
  manualSeed(seed: number | bigint): void;
  getState(): TensorHandle;
  setState(state: TensorHandle): void;
  device(): string;
}

/** The caching CPU allocator's figures: bytes in use, cached, the peak, hits and misses, the cache limit. */
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
  /** The addon was built against a CUDA libtorch. */
  cudaBuild: boolean;
  fromArray(data: TypedArray, shape: readonly number[], dtype: string, device: string): TensorHandle;
  liveTensors(): number;
  dispose(h: TensorHandle): void;
  isDisposed(h: TensorHandle): boolean;
  shape(h: TensorHandle): number[];
  strides(h: TensorHandle): number[];
  dtype(h: TensorHandle): string;
  device(h: TensorHandle): string;
  numel(h: TensorHandle): number;
  isContiguous(h: TensorHandle): boolean;
  requiresGrad(h: TensorHandle): boolean;
  setRequiresGrad(h: TensorHandle, on: boolean): void;
  grad(h: TensorHandle): TensorHandle | undefined;
  setGrad(h: TensorHandle, g?: TensorHandle): void;
  isLeaf(h: TensorHandle): boolean;
  toArray(h: TensorHandle): TypedArray;
  item(h: TensorHandle): number | boolean;
  sameStorage(a: TensorHandle, b: TensorHandle): boolean;
  setData(h: TensorHandle, src: TensorHandle): void;
  op(name: string, overload: string): number;
  opSchema(id: number): string;
  call(id: number, ...args: unknown[]): unknown;
  callVoid(id: number, ...args: unknown[]): void;
  backward(tensors: TensorHandle[], grads: (TensorHandle | undefined)[] | undefined, retainGraph: boolean, createGraph: boolean): void;
  autogradGrad(
    outputs: TensorHandle[],
    inputs: TensorHandle[],
    gradOutputs: (TensorHandle | undefined)[] | undefined,
    retainGraph: boolean,
    createGraph: boolean,
    allowUnused: boolean,
  ): (TensorHandle | undefined)[];
  isGradEnabled(): boolean;
  setGradEnabled(on: boolean): boolean;
  autocastState(deviceType: 'cpu' | 'cuda'): { enabled: boolean; dtype: string };
  setAutocast(deviceType: 'cpu' | 'cuda', enabled: boolean, dtype: string): void;
  autocastEnter(): number;
  autocastExit(): number;
  /** The addon was built with c10d's Gloo process group. */
  distAvailable: boolean;
  /** Its process-group backends: [] (none), ['gloo'], or ['gloo', 'nccl'] (a CUDA build with nccl.h). */
  distBackends: ('gloo' | 'nccl')[];
  distInit(masterAddr: string, masterPort: number, rank: number, worldSize: number, timeoutMs: number, backend: 'gloo' | 'nccl'): void;
  distAllReduceSum(t: TensorHandle): void;
  distAllReduceMax(t: TensorHandle): void;
  distBroadcast(t: TensorHandle, root: number): void;
  distBarrier(): void;
  distDestroy(): void;
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
  layerNormLast(x: TensorHandle, weight: TensorHandle, bias: TensorHandle, eps: number): TensorHandle;
  simpleGate(x: TensorHandle): TensorHandle;
  channelScale(x: TensorHandle, s: TensorHandle): TensorHandle;
  pointwiseConv(x: TensorHandle, w: TensorHandle, b: TensorHandle | undefined): TensorHandle;
  scaledResidual(r: TensorHandle, x: TensorHandle, w: TensorHandle): TensorHandle;
}

function load(): NativeAddon {
  const path = process.env.B2B_NATIVE ?? fileURLToPath(new URL('../../../native/build/Release/b2b_native.node', import.meta.url));
  if (!existsSync(path)) {
    throw new Error(`blur2blur native addon not found at ${path}: run 'npm run setup' to build it`);
  }
  return createRequire(import.meta.url)(path) as NativeAddon;
}

export const native: NativeAddon = load();
