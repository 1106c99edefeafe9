// Engine-wide settings: threads, the caching allocator, devices.
import { availableParallelism } from 'node:os';
import { native, type AllocatorStats } from './native.js';

export type { AllocatorStats };

/** Intra-op threads libtorch uses (default at load: every core, or $B2B_THREADS). */
export function setNumThreads(n: number): void {
  native.setNumThreads(n);
}
export function getNumThreads(): number {
  return native.getNumThreads();
}
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

export function cudaAvailable(): boolean {
  return native.cudaAvailable();
}
export function cudaDeviceCount(): number {
  return native.cudaDeviceCount();
}
/** Whether this build of the addon links a CUDA libtorch (whether a GPU is visible: cudaAvailable). */
export function cudaBuild(): boolean {
  return native.cudaBuild;
}

export function torchVersion(): string {
  return native.torchVersion;
}
export function parallelInfo(): string {
  return native.parallelInfo();
}
