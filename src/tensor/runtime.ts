// Engine-wide settings: threads, the caching allocator, devices.
import { availableParallelism } from 'node:os';
import { native, type AllocatorStats } from './native.js';

export type { AllocatorStats };

/** Intra-op threads libtorch uses (default at load: every core, or $B2B_THREADS). */
export function setNumThreads(n: number): void {
  native.setNumThreads(n);
}
/** libtorch's intra-op thread count. */
export function getNumThreads(): number {
  return native.getNumThreads();
}
/** The cores this process may use. */
export function coreCount(): number {
  return availableParallelism();
}

/** Bytes held by live tensors and by the allocator's cache of freed blocks. */
export function allocatorStats(): AllocatorStats {
  return native.allocatorStats();
}
/** Returns every cached free block to the system. */
export function emptyCache(): void {
  native.emptyCache();
}
/** Caps the bytes the allocator keeps cached (default 8 GiB). */
export function setCacheLimit(bytes: number): void {
  native.setCacheLimit(bytes);
}

/** Whether a GPU is usable: a CUDA build of the addon and a visible device. */
export function cudaAvailable(): boolean {
  return native.cudaAvailable();
}
/** The number of visible CUDA devices (0 on a CPU build). */
export function cudaDeviceCount(): number {
  return native.cudaDeviceCount();
}
/** Whether this build of the addon links a CUDA libtorch (whether a GPU is visible: cudaAvailable). */
export function cudaBuild(): boolean {
  return native.cudaBuild;
}

/** The libtorch version the addon was built against. */
export function torchVersion(): string {
  return native.torchVersion;
}
/** libtorch's description of its parallel backends (OpenMP, oneDNN, threads). */
export function parallelInfo(): string {
  return native.parallelInfo();
}
