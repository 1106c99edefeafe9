// blur2blur as a package: `npm pack`, installed into a new project, used from plain JavaScript and from
// type-checked TypeScript (the README's example, as printed there); and its weights loaded into
// PyTorch's own NAFNet by docs/examples/load_weights.py (Debian's python3-torch), giving blur2blur's output.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDeblurrer } from '../src/infer/load.js';
import { deblur } from '../src/models/index.js';
import { noGrad, scope, arange } from '../src/tensor/index.js';
import { ROOT } from './helpers/fixtures.js';
import { writeRandomImage } from './helpers/images.js';

const root = mkdtempSync(join(tmpdir(), 'b2b-package-'));
test.after(() => rmSync(root, { recursive: true, force: true }));
const DK = join(ROOT, 'weights', 'dk-gopro-like-nafnet-small32');
const G = join(ROOT, 'weights', 'g-rsblur-like-small');

/** The README's TypeScript example (the first ```ts block after "## Use it from TypeScript"). */
function readmeExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Use it from TypeScript'));
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(m, 'the README has the example');
  return m[1]!;
}

describe('the package', () => {
  test('packed, installed into a new project, and used from JavaScript and type-checked TypeScript', async () => {
    const npm = (args: string[], cwd: string): string =>
      execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const tarball = npm(['pack', '--silent', '--pack-destination', root], ROOT).trim().split('\n').pop()!;
    const proj = join(root, 'proj');
    mkdirSync(proj);
    writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'uses-b2b', private: true, type: 'module' }));
    npm(['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', join(root, tarball)], proj);
    await writeRandomImage(join(proj, 'blurry.jpg'), 64, 80, 7);

    // Plain JavaScript: the main entry and a subpath export.
    writeFileSync(
      join(proj, 'plain.mjs'),
      `import { loadDeblurrer, restorePath, ARCH_IDS } from 'blur2blur';
import { tensor } from 'blur2blur/tensor';
const dk = loadDeblurrer(${JSON.stringify(DK)});
try {
  const r = await restorePath({ deblurrer: dk, translator: null }, 'blurry.jpg', 'out-js.png');
  const t = tensor([1, 2, 3]);
  console.log(JSON.stringify({ written: r.written, sum: t.sum().item(), archs: ARCH_IDS.length }));
} finally {
  dk.dispose();
}
`,
    );
    const js = JSON.parse(execFileSync(process.execPath, ['plain.mjs'], { cwd: proj, encoding: 'utf8' }).trim()) as {
      written: string[];
      sum: number;
      archs: number;
    };
    assert.deepEqual(js.written, ['out-js.png']);
    assert.equal(js.sum, 6);
    assert.ok(existsSync(join(proj, 'out-js.png')));

    // TypeScript: the README's example, type-checked against the package's declarations, then run.
    const example = readmeExample()
      .replaceAll("'weights/dk-gopro-like-nafnet-small32'", JSON.stringify(DK))
      .replaceAll("'weights/g-rsblur-like-small'", JSON.stringify(G));
    writeFileSync(join(proj, 'example.ts'), example);
    writeFileSync(
      join(proj, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          lib: ['ES2022', 'ESNext.Disposable'],
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules', '@types')],
          skipLibCheck: true,
        },
        files: ['example.ts'],
      }),
    );
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], {
      cwd: proj,
      encoding: 'utf8',
    });
    assert.equal(tsc.status, 0, `${tsc.stdout}${tsc.stderr}`);
    const ran = spawnSync(process.execPath, ['example.js'], { cwd: proj, encoding: 'utf8' });
    assert.equal(ran.status, 0, ran.stderr);
    assert.ok(existsSync(join(proj, 'deblurred.png')), 'the example deblurred its photo');
  });

  test('the weights load into PyTorch (docs/examples/load_weights.py) and compute what blur2blur computes', () => {
    const py = spawnSync(
      '/usr/bin/python3',
      [join(ROOT, 'docs', 'examples', 'load_weights.py'), join(DK, 'model.safetensors'), '--probe'],
      { encoding: 'utf8' },
    );
    assert.equal(py.status, 0, py.stderr);
    const ref = JSON.parse(py.stdout) as { arch: string; mean: number; first: number[] };
    assert.equal(ref.arch, 'nafnet-small32');
    using dk = loadDeblurrer(DK);
    const ours = noGrad(() =>
      scope(() => {
        const x = arange(0, 3 * 64 * 64)
          .remainder(255)
          .div(255)
          .view([1, 3, 64, 64]);
        const y = deblur(dk, x);
        return { mean: y.mean().item(), first: y.reshape([-1]).slice(0, 0, 8).toNumbers() };
      }),
    );
    assert.ok(Math.abs(ours.mean - ref.mean) < 1e-5, `mean ${ours.mean} vs ${ref.mean}`);
    ours.first.forEach((v, i) => assert.ok(Math.abs(v - ref.first[i]!) < 1e-4, `value ${i}: ${v} vs ${ref.first[i]}`));
  });
});
