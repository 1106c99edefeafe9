// Checking training configs: every key known, every value of its type, named errors.
export type FieldType = 'string' | 'string?' | 'int' | 'number' | 'pair' | 'pair?' | 'boolean';
export type Spec<T> = { [K in keyof T]: FieldType };

export function checkConfig<T extends object>(v: Record<string, unknown>, spec: Spec<T>, source: string): T {
  for (const k of Object.keys(v)) {
    if (!(k in spec)) throw new Error(`${source}: unknown key '${k}' (known: ${Object.keys(spec).join(', ')})`);
  }
  for (const [k, type] of Object.entries(spec) as [string, FieldType][]) {
    const x = v[k];
    const bad = (what: string): Error => new Error(`${source}: '${k}' must be ${what}, got ${JSON.stringify(x)}`);
    switch (type) {
      case 'string': if (typeof x !== 'string') throw bad('a string'); break;
      case 'string?': if (x !== null && typeof x !== 'string') throw bad('a string or null'); break;
      case 'int': if (typeof x !== 'number' || !Number.isInteger(x) || x < 0) throw bad('a non-negative integer'); break;
      case 'number': if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw bad('a non-negative number'); break;
      case 'pair': if (!Array.isArray(x) || x.length !== 2 || x.some((e) => typeof e !== 'number')) throw bad('[number, number]'); break;
      case 'pair?': if (x !== null && (!Array.isArray(x) || x.length !== 2 || x.some((e) => typeof e !== 'number'))) throw bad('[number, number] or null'); break;
      case 'boolean': if (typeof x !== 'boolean') throw bad('true or false'); break;
    }
  }
  return v as T;
}

/** Fields every trainer's config has. */
export interface CommonTrainConfig {
  /** An architecture id (b2b weights import --help lists them). */
  arch: string;
  /** Paired training data (a blur/sharp folder, GoPro, REDS, … layouts). */
  pairs: string;
  /** Paired validation data; null: hold out 10 % of the training scenes. */
  val: string | null;
  crop: number;
  batch: number;
  steps: number;
  lr: number;
  betas: [number, number];
  seed: number;
  valEvery: number;
  ckptEvery: number;
  valImages: number;
  /** Weights to start from (.safetensors, or .pth in the architecture's layout). */
  init: string | null;
}

export const COMMON_SPEC: Spec<CommonTrainConfig> = {
  arch: 'string', pairs: 'string', val: 'string?', crop: 'int', batch: 'int', steps: 'int', lr: 'number', betas: 'pair',
  seed: 'int', valEvery: 'int', ckptEvery: 'int', valImages: 'int', init: 'string?',
};
