// A small seeded pseudo-random generator in plain JavaScript for data pipelines: crop offsets, flips,
// rotations, jitter factors and shuffles. Draws are cheap JS numbers (no tensor handles), and a stream is
// fully determined by the integers it is keyed with, so a loader can re-create the stream of any sample
// from (seed, epoch, position) instead of saving generator state.
//
// Algorithm: xoshiro128** (Blackman & Vigna, 2018), 128-bit state, period 2^128 − 1; its state is
// filled from the key with splitmix32. Not cryptographic.

const TWO_POW_32 = 4294967296;

/** splitmix32 step: returns the next state and its output. */
function splitmix32(state: number): [number, number] {
  const s = (state + 0x9e3779b9) | 0;
  let z = s;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  z ^= z >>> 15;
  return [s, z >>> 0];
}

/** Murmur3's 32-bit finaliser: a bijective mix of one word. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Splits a safe integer (negative allowed) into its low and high 32-bit words. */
function words(n: number): [number, number] {
  if (!Number.isSafeInteger(n)) throw new RangeError(`SeededRandom: key ${n} is not a safe integer`);
  return [n >>> 0, Math.floor(n / TWO_POW_32) >>> 0];
}

export class SeededRandom {
  private readonly s = new Uint32Array(4);

  /** A stream seeded with one integer (any safe integer). */
  constructor(seed: number) {
    this.reseed([seed]);
  }

  /** A stream keyed by several integers, e.g. (domain, seed, epoch, index): distinct keys, distinct streams. */
  static fromKey(...key: number[]): SeededRandom {
    const r = new SeededRandom(0);
    r.reseed(key);
    return r;
  }

  private reseed(key: readonly number[]): void {
    // Fold every 32-bit word of the key into a hash, then expand it with splitmix32.
    let h = 0x6a09e667 ^ key.length;
    for (const k of key) {
      for (const w of words(k)) h = fmix32((h ^ w) + 0x9e3779b9);
    }
    let sm = h | 0;
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix32(sm);
      sm = next;
      this.s[i] = out;
    }
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1; // all-zero is a fixed point
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const [s0, s1, s2, s3] = [s[0]!, s[1]!, s[2]!, s[3]!];
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t2 = s2 ^ s0;
    const t3 = s3 ^ s1;
    s[1] = s1 ^ t2;
    s[0] = s0 ^ t3;
    s[2] = t2 ^ (s1 << 9);
    s[3] = rotl(t3, 11);
    return result;
  }

  /** Uniform on [0, 1) with 53 bits of resolution. */
  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`SeededRandom.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** Uniform on [lo, hi]. */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** true with probability p. */
  bool(p = 0.5): boolean {
    return this.next() < p;
  }

  /** Shuffles in place (Fisher–Yates) and returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }

  /** The 128-bit state as four 32-bit words (to save and restore a stream mid-way). */
  getState(): [number, number, number, number] {
    return [this.s[0]!, this.s[1]!, this.s[2]!, this.s[3]!];
  }

  setState(state: readonly number[]): void {
    if (state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w >= TWO_POW_32)) {
      throw new RangeError('SeededRandom.setState: expected four 32-bit unsigned integers');
    }
    if (state.every((w) => w === 0)) throw new RangeError('SeededRandom.setState: the all-zero state is invalid');
    this.s.set(state);
  }
}
