// Tiled inference: a large image is cut into overlapping tiles, each restored on its own, and the
// results blended with weights that ramp linearly across each overlap (1 inside a tile, 0 at its inner
// borders), so seams vanish and memory stays bounded by the tile size. An image no
// larger than one tile is restored whole.
import { noGrad, scope, zeros, tensor, type Tensor } from '../tensor/index.js';

export interface TileOptions {
  /** Tile side in pixels (default 512). */
  tile?: number;
  /** Overlap between neighbouring tiles in pixels (default 64). */
  overlap?: number;
}

/** Tile starts along one axis: the first at 0, the last ending at `size`, steps of at most tile − overlap. */
export function tileStarts(size: number, tile: number, overlap: number): number[] {
  if (size <= tile) return [0];
  const step = tile - overlap;
  if (step <= 0) throw new Error(`tiles: overlap (${overlap}) must be smaller than the tile (${tile})`);
  const n = Math.ceil((size - tile) / step) + 1;
  // Spread the tiles evenly so every overlap is at least `overlap`.
  return Array.from({ length: n }, (_, i) => Math.round((i * (size - tile)) / (n - 1)));
}

/**
 * A blending weight for one axis of a tile. At an inner border the first quarter of the overlap gets
 * weight 0 (those pixels saw padding instead of their neighbours), then the weight rises linearly to 1
 * across the middle half. So an operation that reaches no further than a quarter of the overlap tiles
 * exactly, and a network's border effects are faded out.
 */
export function ramp(len: number, overlap: number, atStart: boolean, atEnd: boolean): number[] {
  const margin = overlap >> 2,
    width = Math.max(1, overlap - 2 * margin);
  const rise = (d: number): number => Math.min(1, Math.max(0, (d - margin + 1) / (width + 1)));
  return Array.from({ length: len }, (_, i) => {
    let w = 1;
    if (!atStart) w = Math.min(w, rise(i));
    if (!atEnd) w = Math.min(w, rise(len - 1 - i));
    return w;
  });
}

/**
 * Restores x [1, C, H, W] with `fn` (same-size output) tile by tile. Returns [1, C, H, W].
 * Peak memory: one tile's activations, plus the output and weight accumulators.
 */
export function tiled(x: Tensor, fn: (t: Tensor) => Tensor, o: TileOptions = {}): Tensor {
  const tile = o.tile ?? 512,
    overlap = Math.min(o.overlap ?? 64, tile >> 1);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  if (n !== 1) throw new Error(`tiled: one image at a time ([1, C, H, W]), got [${x.shape.join(', ')}]`);
  if (h <= tile && w <= tile) return noGrad(() => fn(x));
  return noGrad(() => {
    const ys = tileStarts(h, tile, overlap),
      xs = tileStarts(w, tile, overlap);
    const acc = zeros([1, c, h, w]),
      weight = zeros([1, 1, h, w]);
    for (const [iy, y0] of ys.entries()) {
      for (const [ix, x0] of xs.entries()) {
        scope(() => {
          const th = Math.min(tile, h - y0),
            tw = Math.min(tile, w - x0);
          const out = fn(x.slice(2, y0, y0 + th).slice(3, x0, x0 + tw));
          const wy = tensor(ramp(th, overlap, iy === 0, iy === ys.length - 1)).view([1, 1, th, 1]);
          const wx = tensor(ramp(tw, overlap, ix === 0, ix === xs.length - 1)).view([1, 1, 1, tw]);
          const wt = wy.mul(wx);
          acc
            .slice(2, y0, y0 + th)
            .slice(3, x0, x0 + tw)
            .add_(out.mul(wt));
          weight
            .slice(2, y0, y0 + th)
            .slice(3, x0, x0 + tw)
            .add_(wt);
        });
      }
    }
    const r = acc.div_(weight);
    weight.dispose();
    return r;
  });
}
