// Data-parallel training over a c10d process group (src/tensor/dist.ts), as PyTorch's
// DistributedDataParallel does it: rank 0's weights go to every rank at the start; each rank computes
// its slice of the global batch; after backward the gradients are averaged in flat buckets, so every
// rank takes the same optimiser step; decisions (stop, time budget, a skipped step) are agreed through
// the same collectives; only rank 0 writes. A run with the same global batch on 1 process and on N
// ranks computes the same steps (to the rounding of the reductions).
import {
  noGrad,
  scope,
  tensor,
  cat,
  cudaDeviceCount,
  distBackends,
  ProcessGroup,
  type Device,
  type DistBackend,
  type GroupSpec,
  type Tensor,
} from '../tensor/index.js';
import type { Module } from '../nn/index.js';
import type { Batch } from '../data/datasets/loader.js';

/** Gradients per all-reduce: 4 M floats (16 MB) per bucket. */
const BUCKET = 4 * 2 ** 20;

/** The process group the environment describes (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT, LOCAL_RANK, B2B_DIST_BACKEND), if any. */
export function groupFromEnv(env: NodeJS.ProcessEnv = process.env): GroupSpec | undefined {
  if (env.WORLD_SIZE === undefined && env.RANK === undefined) return undefined;
  const num = (k: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < 0)
      throw new Error(`data parallel: ${k} must be a non-negative integer, got '${v ?? ''}'`);
    return n;
  };
  const worldSize = num('WORLD_SIZE', env.WORLD_SIZE),
    rank = num('RANK', env.RANK);
  if (worldSize < 1 || rank >= worldSize) throw new Error(`data parallel: RANK ${rank} is not in [0, WORLD_SIZE ${worldSize})`);
  const timeout = env.B2B_DIST_TIMEOUT_MS === undefined ? undefined : num('B2B_DIST_TIMEOUT_MS', env.B2B_DIST_TIMEOUT_MS);
  const backend = env.B2B_DIST_BACKEND;
  if (backend !== undefined && backend !== 'gloo' && backend !== 'nccl')
    throw new Error(`data parallel: B2B_DIST_BACKEND must be gloo or nccl, got '${backend}'`);
  return {
    rank,
    worldSize,
    masterAddr: env.MASTER_ADDR ?? '127.0.0.1',
    masterPort: num('MASTER_PORT', env.MASTER_PORT ?? '29500'),
    localRank: env.LOCAL_RANK === undefined ? 0 : num('LOCAL_RANK', env.LOCAL_RANK),
    ...(timeout !== undefined ? { timeoutMs: timeout } : {}),
    ...(backend !== undefined ? { backend } : {}),
  };
}

/**
 * The device a rank computes on. `cuda` means a GPU per rank, as torchrun's LOCAL_RANK numbers them
 * (rank 1 of a machine on cuda:1); `cpu` and an explicit `cuda:N` are kept (every rank on that GPU).
 */
export function rankDevice(device: Device, spec: GroupSpec, gpus: number): Device {
  if (device !== 'cuda') return device;
  const local = spec.localRank ?? 0;
  if (local >= gpus)
    throw new Error(
      `data parallel: LOCAL_RANK ${local} has no GPU of its own (${gpus} visible); start at most ${gpus} rank${gpus === 1 ? '' : 's'} per machine, or give --device cuda:N to share one`,
    );
  return `cuda:${local}`;
}

/**
 * The group's backend: the one asked for, else NCCL where each rank has a GPU of its own (`--device
 * cuda`) and the build has it (PyTorch's choice for GPUs), else Gloo. NCCL cannot put two ranks on one
 * GPU, so an explicit cuda:N stays on Gloo unless NCCL is asked for.
 */
export function chooseBackend(
  device: Device,
  requested: DistBackend | undefined,
  available: readonly DistBackend[] = distBackends(),
): DistBackend {
  if (requested !== undefined) return requested;
  return device === 'cuda' && available.includes('nccl') ? 'nccl' : 'gloo';
}

/** This process's rank in a data-parallel group: broadcast at the start, gradients averaged after backward, agreed decisions, batch shards. */
export class DataParallel {
  constructor(
    readonly group: ProcessGroup,
    /** Where this rank computes (cuda:LOCAL_RANK for `--device cuda`: rankDevice). */
    readonly device: Device = 'cpu',
  ) {}

  /** Joins the group; `device` as given on the command line (`cuda`: this rank's own GPU, rankDevice). */
  static init(spec: GroupSpec, device: Device = 'cpu'): DataParallel {
    const own = rankDevice(device, spec, device === 'cuda' ? cudaDeviceCount() : 0);
    return new DataParallel(ProcessGroup.init({ ...spec, backend: chooseBackend(device, spec.backend) }, own), own);
  }

  get rank(): number {
    return this.group.rank;
  }
  get world(): number {
    return this.group.worldSize;
  }
  /** Rank 0: the one that writes checkpoints, logs, samples and weights. */
  get isMain(): boolean {
    return this.group.rank === 0;
  }

  /** Rank 0's parameters and buffers on every rank. */
  broadcast(modules: readonly Module[]): void {
    noGrad(() => {
      for (const m of modules) for (const [, t] of [...m.namedParameters(), ...m.namedBuffers()]) this.group.broadcast(t, 0);
    });
  }

  /** Every gradient of `modules` replaced by its mean over the ranks (flat buckets, one all-reduce each). */
  averageGradients(modules: readonly Module[]): void {
    const grads = modules.flatMap((m) => m.parameters().map((p) => p.grad)).filter((g): g is Tensor => g !== undefined);
    noGrad(() => {
      for (let i = 0; i < grads.length;) {
        const bucket: Tensor[] = [];
        let n = 0;
        while (i < grads.length && (bucket.length === 0 || n + grads[i]!.numel <= BUCKET)) {
          n += grads[i]!.numel;
          bucket.push(grads[i++]!);
        }
        scope(() => {
          const flat = cat(
            bucket.map((g) => g.reshape([-1])),
            0,
          );
          this.group.allReduceSum(flat);
          flat.div_(this.world);
          let at = 0;
          for (const g of bucket) {
            g.copy_(flat.slice(0, at, at + g.numel).view([...g.shape]));
            at += g.numel;
          }
        });
      }
    });
  }

  /** The element-wise maximum over the ranks (flags agreed by every rank). */
  max(values: readonly number[]): number[] {
    return scope(() => {
      const t = tensor([...values], { dtype: 'float64', device: this.group.device });
      this.group.allReduceMax(t);
      return t.toNumbers();
    });
  }

  /** The element-wise mean over the ranks. */
  mean(values: readonly number[]): number[] {
    return scope(() => {
      const t = tensor([...values], { dtype: 'float64', device: this.group.device });
      this.group.allReduceSum(t);
      return t.div(this.world).toNumbers();
    });
  }

  /** This rank's rows of a global batch [N, …]: [rank·N/world, (rank+1)·N/world). */
  shard(t: Tensor): Tensor {
    const n = t.shape[0]!;
    if (n % this.world !== 0)
      throw new Error(`data parallel: the batch of ${n} does not split over ${this.world} ranks; give a batch divisible by it`);
    const k = n / this.world;
    return noGrad(() => t.slice(0, this.rank * k, (this.rank + 1) * k).contiguous());
  }

  barrier(): void {
    this.group.barrier();
  }

  destroy(): void {
    this.group.destroy();
  }
}

/** This rank's rows of a batch of pairs or images (the global batch's tensors are left to the caller). */
export function shardBatch(b: Batch, dp: DataParallel): Batch {
  return { ...b, blurry: dp.shard(b.blurry), ...(b.sharp ? { sharp: dp.shard(b.sharp) } : {}) };
}
