// A c10d process group (Gloo over TCP), as torch.distributed's: ranks rendezvous through a TCP store
// served by rank 0, then reduce and broadcast tensors in place. One group per process.
import { native } from './native.js';
import type { Tensor } from './tensor.js';

/** Where and who this process is in a group: the variables launchers (torchrun, Slurm scripts) set. */
export interface GroupSpec {
  rank: number;
  worldSize: number;
  masterAddr: string;
  masterPort: number;
  /** How long a collective may wait for a peer before failing (default 120 s). */
  timeoutMs?: number;
}

/** Whether this build of the addon can make a process group. */
export function distAvailable(): boolean {
  return native.distAvailable;
}

/** A c10d process group (TCP store, Gloo): in-place all-reduce, broadcast and barrier across ranks. */
export class ProcessGroup {
  private open = true;
  private constructor(
    readonly rank: number,
    readonly worldSize: number,
  ) {}

  /** Joins (rank 0: creates) the group; returns when every rank has joined. */
  static init(s: GroupSpec): ProcessGroup {
    if (!Number.isInteger(s.rank) || !Number.isInteger(s.worldSize) || s.rank < 0 || s.rank >= s.worldSize) {
      throw new Error(`process group: rank ${s.rank} is not in [0, ${s.worldSize})`);
    }
    native.distInit(s.masterAddr, s.masterPort, s.rank, s.worldSize, s.timeoutMs ?? 120_000);
    return new ProcessGroup(s.rank, s.worldSize);
  }

  /** In place: the sum over the ranks. */
  allReduceSum(t: Tensor): void {
    native.distAllReduceSum(t.h);
  }
  /** In place: the maximum over the ranks. */
  allReduceMax(t: Tensor): void {
    native.distAllReduceMax(t.h);
  }
  /** In place: rank `root`'s values on every rank. */
  broadcast(t: Tensor, root = 0): void {
    native.distBroadcast(t.h, root);
  }
  barrier(): void {
    native.distBarrier();
  }
  destroy(): void {
    if (this.open) native.distDestroy();
    this.open = false;
  }
  [Symbol.dispose](): void {
    this.destroy();
  }
}
