// Tiny synthetic pairs for trainer tests: smooth random scenes and their 5×1 horizontal box blur.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { F, Generator, noGrad, rand, scope, tensor } from '../../src/tensor/index.js';
import { writeImage } from '../../src/data/image.js';

export async function writePairs(dir: string, n: number, size = 40): Promise<void> {
  for (const d of ['blur', 'sharp']) mkdirSync(join(dir, d), { recursive: true });
  const g = new Generator(11);
  for (let i = 0; i < n; i++) {
    const [sharp, blurry] = noGrad(() =>
      scope(() => {
        const low = rand([1, 3, size / 4, size / 4], { generator: g });
        const s = F.interpolate(low, { size: [size, size], mode: 'bilinear' })
          .add(rand([1, 3, size, size], { generator: g }).mul(0.15))
          .clamp(0, 1);
        const k = tensor([[[[0.2, 0.2, 0.2, 0.2, 0.2]]]]).expand([3, 1, 1, 5]);
        const b = F.conv2d(F.pad(s, [2, 2, 0, 0], 'replicate'), k, undefined, { groups: 3 });
        return [s.select(0, 0), b.select(0, 0)];
      }),
    );
    const name = `s${String(i).padStart(2, '0')}.png`;
    await writeImage(join(dir, 'sharp', name), sharp!);
    await writeImage(join(dir, 'blur', name), blurry!);
    sharp!.dispose();
    blurry!.dispose();
  }
}
