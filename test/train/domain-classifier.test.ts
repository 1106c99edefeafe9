// Training the blur-domain classifier: scenes are held out whole, the trainer learns two blur domains that differ only in blur and keeps its best weights, and
// b2b eval --domain-classifier reports the share called known-blur.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { F, Generator, rand } from '../../src/tensor/index.js';
import { holdOutScenes, resolveDomainClassifierConfig, sceneOf, trainDomainClassifier } from '../../src/train/domain-classifier.js';
import { loadBlurClassifier } from '../../src/infer/load.js';
import { readWeightsMetadata } from '../../src/io/weights.js';
import { ROOT } from '../helpers/fixtures.js';
import { writeMade } from '../helpers/images.js';

const root = mkdtempSync(join(tmpdir(), 'b2b-domain-'));
test.after(() => rmSync(root, { recursive: true, force: true }));
const b2b = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist/src/cli/b2b.js'), ...args], { encoding: 'utf8' });

/** Noise textures blurred by a k×k box: scenes s0…s3, three crops each (s0_00.png …). */
async function blurSet(dir: string, k: number, seed: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (let s = 0; s < 4; s++)
    for (let i = 0; i < 3; i++)
      await writeMade(
        join(dir, `s${s}_0${i}.png`),
        () =>
          F.avgPool2d(rand([1, 3, 56, 56], { generator: new Generator(seed + 10 * s + i) }), k, {
            stride: 1,
            padding: (k - 1) / 2,
            countIncludePad: false,
          })
            .select(0, 0)
            .mul(0.6)
            .add(0.1 * s), // scenes differ in brightness
      );
}

describe('blur-domain classifier', () => {
  test('scenes are held out whole, at least one, the same for the same seed', () => {
    const files = ['a_00.png', 'a_01.png', 'b_00.png', 'b_01.png', 'c_00.png', 'd_00.png', 'my_scene_07.png'];
    assert.equal(sceneOf('/x/my_scene_07.png'), 'my_scene');
    assert.equal(sceneOf('cockatoo--0012-3.png'), 'cockatoo', "b2b data domain's tiles: the video is the scene");
    const { train, val } = holdOutScenes(files, 0.3, 1, 'set');
    assert.equal(train.length + val.length, files.length);
    assert.ok(val.length > 0);
    const heldScenes = new Set(val.map(sceneOf));
    assert.ok(
      train.every((f) => !heldScenes.has(sceneOf(f))),
      'no scene on both sides',
    );
    assert.deepEqual(holdOutScenes(files, 0.3, 1, 'set'), { train, val });
    // One scene only (a video's frames): runs of consecutive names are held out instead.
    const frames = Array.from({ length: 16 }, (_, i) => `frame_${String(i).padStart(4, '0')}.png`);
    const f = holdOutScenes(frames, 0.25, 1, 'frames');
    assert.equal(f.val.length, 4);
    const idx = f.val.map((x) => frames.indexOf(x)).sort((a, b) => a - b);
    assert.ok(f.val.every((x) => !f.train.includes(x)));
    for (let i = 0; i < idx.length; i += 2) assert.equal(idx[i + 1], idx[i]! + 1, 'held out in runs of consecutive frames');
    assert.throws(() => holdOutScenes(['a_00.png'], 0.3, 1, 'B/'), /B\/: need at least two images/);
    assert.throws(() => resolveDomainClassifierConfig({ blur: 'B', known: 'K', batch: 5 }), /batch must be even/);
    assert.throws(() => resolveDomainClassifierConfig({ blur: 'B' }), /give the camera's blurry images/);
  });

  test('learns blur, not scenes: held-out scenes told apart, best weights kept; b2b eval --domain-classifier', async () => {
    const B = join(root, 'B'),
      K = join(root, 'K');
    await blurSet(B, 7, 100); // the camera's heavy blur
    await blurSet(K, 1, 200); // the known blur: none here
    const out = join(root, 'clf');
    const c = resolveDomainClassifierConfig({
      blur: B,
      known: K,
      crop: 32,
      batch: 8,
      steps: 120,
      valEvery: 40,
      valImages: 6,
      valShare: 0.25,
    });
    const r = await trainDomainClassifier(c, out, { quiet: true });
    assert.equal(r.steps, 120);
    assert.ok(r.best! >= 0.99, `validation accuracy on held-out scenes ${r.best}`);
    assert.equal(readWeightsMetadata(join(out, 'model.safetensors')).kind, 'domain-classifier');
    assert.match(readWeightsMetadata(join(out, 'model.safetensors')).selected!, /^best validation accuracy/);
    assert.equal(loadBlurClassifier(out).crop, 32);

    const json = join(root, 'verdict.json');
    const e = b2b('eval', '--domain-classifier', out, '--images', B, '--known', K, '--prefilter', '3', '--json', json, '--quiet');
    assert.equal(e.status, 0, e.stderr);
    assert.match(e.stdout, /\| y, as shot \| \d+\.\d % \|/);
    const v = JSON.parse(readFileSync(json, 'utf8')) as { rows: Record<string, { images: number; knownShare: number }> };
    assert.equal(v.rows['y, as shot']!.images, 12);
    assert.ok(v.rows['y, as shot']!.knownShare <= 0.1, 'the camera blur is not called known');
    assert.ok(v.rows['K, the known blur (reference)']!.knownShare >= 0.9, 'the known blur is');
    // The low-pass reference row: y blurred by a Gaussian, every image judged.
    assert.equal(v.rows['Gaussian σ 3 of y (reference)']!.images, 12);
    const sigma = b2b('eval', '--domain-classifier', out, '--images', B, '--prefilter', '40');
    assert.equal(sigma.status, 2);
    assert.match(sigma.stderr, /--prefilter is a σ in pixels in \(0, 10\], got '40'/);
    const bad = b2b('eval', '--domain-classifier', join(root, 'nope'), '--images', B);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /nope/);
  });
});
