// Module: parameters, buffers and child modules named by path exactly like PyTorch state_dict keys
// ("encoders.0.conv.weight"), so official checkpoints load without renaming tables.
import { Tensor, isDType, isFloating, noGrad, type DType, type Device } from '../tensor/index.js';

/** Tensors by state_dict key. */
export type StateDict = Map<string, Tensor>;

/** How strictly loadStateDict matches: missing or unexpected keys allowed or not, key prefixes to strip. */
export interface LoadOptions {
  /** Missing or unexpected keys are an error (default true). Wrong shapes always are. */
  strict?: boolean;
}

/** What loadStateDict loaded, and what it skipped where allowed. */
export interface LoadReport {
  missing: string[];
  unexpected: string[];
}

/** A state dict that does not fit a module: missing, unexpected and mis-shaped keys, all listed. */
export class StateDictError extends Error {
  constructor(
    readonly missing: string[],
    readonly unexpected: string[],
    readonly wrongShape: string[],
    source = 'state dict',
  ) {
    const parts: string[] = [];
    const list = (xs: string[]): string => xs.slice(0, 20).join(', ') + (xs.length > 20 ? `, … (${xs.length} in all)` : '');
    if (missing.length) parts.push(`missing keys: ${list(missing)}`);
    if (unexpected.length) parts.push(`unexpected keys: ${list(unexpected)}`);
    if (wrongShape.length) parts.push(`wrong shapes: ${list(wrongShape)}`);
    super(`${source} does not match the model: ${parts.join('; ')}`);
    this.name = 'StateDictError';
  }
}

/** A network module: parameters, buffers and children under PyTorch state_dict key paths; strict loadStateDict; train/eval; to(device or dtype); dispose. */
export abstract class Module {
  private readonly params = new Map<string, Tensor>();
  private readonly bufs = new Map<string, { t: Tensor; persistent: boolean }>();
  private readonly children = new Map<string, Module>();
  private isTraining = true;

  /** Registers a trainable parameter (kept outside every scope; requires grad). */
  protected param(name: string, t: Tensor): Tensor {
    this.checkName(name);
    t.keep().requiresGrad = true;
    this.params.set(name, t);
    return t;
  }

  /** Registers a buffer (running statistics, counters); non-persistent buffers stay out of state dicts. */
  protected buffer(name: string, t: Tensor, persistent = true): Tensor {
    this.checkName(name);
    this.bufs.set(name, { t: t.keep(), persistent });
    return t;
  }

  /** Registers a child module under `name` (its keys become "name.…"). */
  protected child<M extends Module>(name: string, m: M): M {
    this.checkName(name);
    this.children.set(name, m);
    return m;
  }

  private checkName(name: string): void {
    if (name === '' || name.includes('.')) throw new Error(`invalid module member name '${name}'`);
    if (this.params.has(name) || this.bufs.has(name) || this.children.has(name)) {
      throw new Error(`'${name}' is registered twice in ${this.constructor.name}`);
    }
  }

  namedChildren(): [string, Module][] {
    return [...this.children];
  }

  /** Every parameter with its dotted path, in registration order (as PyTorch). */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, p] of this.params) out.push([prefix + n, p]);
    for (const [n, c] of this.children) out.push(...c.namedParameters(`${prefix}${n}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Turns gradient recording for every parameter on or off (torch's module.requires_grad_). */
  requiresGrad_(on: boolean): this {
    for (const p of this.parameters()) p.requiresGrad = on;
    return this;
  }

  namedBuffers(prefix = '', persistentOnly = false): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, b] of this.bufs) if (b.persistent || !persistentOnly) out.push([prefix + n, b.t]);
    for (const [n, c] of this.children) out.push(...c.namedBuffers(`${prefix}${n}.`, persistentOnly));
    return out;
  }

  /** Number of trainable scalars. */
  parameterCount(): number {
    return this.parameters().reduce((s, p) => s + p.numel, 0);
  }

  /** Parameters and persistent buffers by key, in PyTorch's order (a module's own, then its children's). */
  stateDict(prefix = ''): StateDict {
    const out: StateDict = new Map();
    for (const [n, p] of this.params) out.set(prefix + n, p);
    for (const [n, b] of this.bufs) if (b.persistent) out.set(prefix + n, b.t);
    for (const [n, c] of this.children) for (const [k, v] of c.stateDict(`${prefix}${n}.`)) out.set(k, v);
    return out;
  }

  /**
   * Copies values into the module's tensors (converting dtype, e.g. float16 checkpoints). Throws a
   * StateDictError listing missing, unexpected and wrong-shape keys together; nothing is copied then.
   */
  loadStateDict(sd: ReadonlyMap<string, Tensor>, opts: LoadOptions = {}, source?: string): LoadReport {
    const strict = opts.strict ?? true;
    const own = this.stateDict();
    const missing = [...own.keys()].filter((k) => !sd.has(k));
    const unexpected = [...sd.keys()].filter((k) => !own.has(k));
    const wrongShape: string[] = [];
    for (const [k, t] of own) {
      const v = sd.get(k);
      if (v && v.shape.join(',') !== t.shape.join(',')) {
        wrongShape.push(`${k} (model [${t.shape.join(', ')}], given [${v.shape.join(', ')}])`);
      }
    }
    if (wrongShape.length || (strict && (missing.length || unexpected.length))) {
      throw new StateDictError(missing, unexpected, wrongShape, source);
    }
    noGrad(() => {
      for (const [k, t] of own) {
        const v = sd.get(k);
        if (v) t.copy_(v);
      }
    });
    return { missing, unexpected };
  }

  get training(): boolean {
    return this.isTraining;
  }

  /** Sets training mode here and in every descendant (dropout, batch norm statistics). */
  train(on = true): this {
    this.isTraining = on;
    for (const c of this.children.values()) c.train(on);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /**
   * Moves (device) or converts (dtype) every parameter and buffer in place, keeping the same tensor
   * objects, as PyTorch's Module.to(). A dtype applies to floating tensors only (counters stay int).
   */
  to(target: Device | DType): this {
    const dtype = isDType(target);
    noGrad(() => {
      for (const [, t] of [...this.namedParameters(), ...this.namedBuffers()]) {
        if (dtype && !isFloating(t.dtype)) continue;
        const moved = t.to(target);
        t.setData(moved);
        moved.dispose();
      }
    });
    return this;
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = undefined;
  }

  /** Releases every parameter and buffer. The module is unusable afterwards. */
  /** `using` releases it at the end of the block (as dispose()). */
  [Symbol.dispose](): void {
    this.dispose();
  }

  dispose(): void {
    for (const [, t] of [...this.namedParameters(), ...this.namedBuffers()]) t.dispose();
  }
}

/** A module mapping one tensor to one tensor (what Sequential chains). */
export interface Layer {
  forward(x: Tensor): Tensor;
}
