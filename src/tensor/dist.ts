// A c10d process group, as torch.distributed's: ranks rendezvous through a TCP store served by rank 0,
// then reduce and broadcast tensors in place, over Gloo (CPU or CUDA tensors) or NCCL (CUDA tensors, one
// GPU per rank; a CUDA build only). One group per process.
import { native } from './native.js';
import type { Device } from './dtype.js';
import type { Tensor } from './tensor.js';

/** c10d's backends: Gloo (TCP, CPU and CUDA tensors) and NCCL (GPUs only). */
export type DistBackend = 'gloo' | 'nccl';

/** Where and who this process is in a group: the variables launchers (torchrun, Slurm scripts) set. */
export interface GroupSpec {
  rank: number;
  worldSize: number;
  masterAddr: string;
  masterPort: number;
  /** How long a collective may wait for a peer before failing (default 120 s). */
  timeoutMs?: number;
  /** This rank's place on its machine (LOCAL_RANK): the GPU it takes when each rank has its own. */
  localRank?: number;
  /** The backend asked for (B2B_DIST_BACKEND); by default the trainer picks one (chooseBackend). */
  backend?: DistBackend;
}

/** Whether this build of the addon can make a process group. */
export function distAvailable(): boolean {
  return native.distAvailable;
}

/** The backends this build of the addon has: Gloo where it has any, NCCL too in a CUDA build with nccl.h. */
export function distBackends(): DistBackend[] {
  return [...native.distBackends];
}

/** A c10d process group (TCP store; Gloo or NCCL): in-place all-reduce, broadcast and barrier across ranks. */
export class ProcessGroup {
  private open = true;
  private constructor(
    readonly rank: number,
    readonly worldSize: number,
    readonly backend: DistBackend,
    /** Where tensors made for this group's collectives live: NCCL reduces on the rank's GPU only. */
    readonly device: Device,
  ) {}

  /** Joins (rank 0: creates) the group; returns when every rank has joined. NCCL needs this rank's GPU. */
  static init(s: GroupSpec, device: Device = 'cpu'): ProcessGroup {
    if (!Number.isInteger(s.rank) || !Number.isInteger(s.worldSize) || s.rank < 0 || s.rank >= s.worldSize) {
      throw new Error(`process group: rank ${s.rank} is not in [0, ${s.worldSize})`);
    }
    const backend = s.backend ?? 'gloo';
    if (!distBackends().includes(backend))
      throw new Error(
        `process group: this build of the addon has no ${backend === 'nccl' ? 'NCCL (it needs a CUDA libtorch and nccl.h when it is built)' : backend} process group (it has: ${distBackends().join(', ') || 'none'})`,
      );
    if (backend === 'nccl' && !device.startsWith('cuda'))
      throw new Error(`process group: NCCL reduces CUDA tensors only; this rank computes on ${device} (use Gloo)`);
    native.distInit(s.masterAddr, s.masterPort, s.rank, s.worldSize, s.timeoutMs ?? 120_000, backend);
    return new ProcessGroup(s.rank, s.worldSize, backend, backend === 'nccl' ? device : 'cpu');
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
