// Dataset layouts: each one read from a tiny fixture tree, detection, and the errors users will meet.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { basename, join } from 'node:path';
import {
  allPairs, detectLayout, matchKey, readBlur2Blur, readGoPro, readLayout, readPairedFolder, readRealBlur,
  readReds, readRsblur, type PairedSample,
} from '../../../src/data/datasets/layouts.js';
import { dirs, pngs, removeTree, tempRoot, text } from './tree.js';

let root: string;
let n = 0;
/** A fresh sub-folder of the test root. */
const fresh = (): string => join(root, `case${n++}`);
const names = (ps: PairedSample[]): string[][] => ps.map((p) => [basename(p.blurry), basename(p.sharp), p.scene]);

before(() => {
  root = tempRoot();
});
after(() => removeTree(root));

describe('plain folders', () => {
  test('a folder of images is unpaired, sorted by name', async () => {
    const r = fresh();
    await pngs(r, 'b.png', 'a.png');
    text(r, 'notes.txt', 'not an image');
    assert.equal(detectLayout(r), 'folder');
    const d = readLayout(r);
    assert.ok(d.kind === 'folder');
    assert.deepEqual(d.images.files.map((f) => basename(f)), ['a.png', 'b.png']);
  });

  test('blur/sharp, input/target and blurry/gt folders pair by name', async () => {
    for (const [b, s] of [['blur', 'sharp'], ['input', 'target'], ['blurry', 'gt']]) {
      const r = fresh();
      await pngs(r, `${b}/x1.png`, `${b}/x2.png`, `${s}/x2.png`, `${s}/x1.png`);
      assert.equal(detectLayout(r), 'paired-folder');
      const d = readLayout(r);
      assert.ok(d.kind === 'paired-folder');
      assert.deepEqual(names(d.pairs), [['x1.png', 'x1.png', 'x1'], ['x2.png', 'x2.png', 'x2']]);
      assert.ok(d.pairs[0]!.blurry.includes(`/${b}/`) && d.pairs[0]!.sharp.includes(`/${s}/`));
    }
  });

  test('mismatched pairs name the folder, the counts and the unmatched files', async () => {
    const r = fresh();
    await pngs(r, 'blur/000010.png', 'blur/000011.png', 'blur/000012.png', 'sharp/000010.png', 'sharp/000011.png');
    assert.throws(() => readPairedFolder(r), (e: Error) => {
      assert.equal(e.message, `${r}: 'blur' has 3 images but 'sharp' has 2; unmatched: blur/000012.png`);
      return true;
    });
    const r2 = fresh();
    await pngs(r2, 'blur/a.png', 'sharp/b.png', 'blur/c.png', 'sharp/c.png');
    assert.throws(() => readPairedFolder(r2), /both have 2 images but their names differ; unmatched: blur\/a.png, sharp\/b.png/);
  });

  test('empty folders and a missing partner folder are clear errors', async () => {
    const r = fresh();
    await pngs(r, 'sharp/1.png');
    dirs(r, 'blur');
    assert.throws(() => readLayout(r), (e: Error) => e.message.startsWith(`${join(r, 'blur')}: no images`));
    const r2 = fresh();
    await pngs(r2, 'blur/1.png');
    assert.equal(detectLayout(r2), 'paired-folder');
    assert.throws(() => readLayout(r2), { message: new RegExp(`^${r2}: has 'blur' but not its partner folder`) });
  });

  test('scene folders, and the role prefix of RealBlur names', async () => {
    const r = fresh();
    await pngs(r, 's1/blur/blur_1.png', 's1/blur/blur_2.png', 's1/gt/gt_1.png', 's1/gt/gt_2.png', 's2/blur/0.png', 's2/sharp/0.png');
    assert.equal(detectLayout(r), 'scenes');
    const d = readLayout(r);
    assert.ok(d.kind === 'scenes');
    assert.deepEqual(names(d.pairs), [['blur_1.png', 'gt_1.png', 's1'], ['blur_2.png', 'gt_2.png', 's1'], ['0.png', '0.png', 's2']]);
    assert.equal(matchKey('/a/gt/gt_12.png'), '12');
    assert.equal(matchKey('/a/blur/blur.png'), 'blur');
  });
});

describe('GoPro', () => {
  const tree = async (r: string): Promise<void> => {
    for (const [split, seq] of [['train', 'GOPR0372_07_00'], ['train', 'GOPR0374_11_00'], ['test', 'GOPR0384_11_00']]) {
      for (const f of ['blur', 'blur_gamma', 'sharp']) await pngs(r, `${split}/${seq}/${f}/000001.png`, `${split}/${seq}/${f}/000002.png`);
    }
  };

  test('train/test sequences pair blur (or blur_gamma) with sharp; scene = sequence', async () => {
    const r = fresh();
    await tree(r);
    assert.equal(detectLayout(r), 'gopro');
    const s = readGoPro(r);
    assert.equal(s.train!.length, 4);
    assert.equal(s.test!.length, 2);
    assert.deepEqual(s.train!.map((p) => p.scene), ['GOPR0372_07_00', 'GOPR0372_07_00', 'GOPR0374_11_00', 'GOPR0374_11_00']);
    assert.ok(s.train![0]!.blurry.endsWith(join('GOPR0372_07_00', 'blur', '000001.png')));
    assert.ok(s.train![0]!.sharp.endsWith(join('GOPR0372_07_00', 'sharp', '000001.png')));
    const g = readLayout(r, { gopro: { blur: 'blur_gamma' } });
    assert.ok(g.kind === 'gopro');
    assert.ok(g.splits.test![1]!.blurry.endsWith(join('blur_gamma', '000002.png')));
    assert.equal(allPairs(g).length, 6);
  });

  test('a sequence without sharp/ or with unmatched frames is named', async () => {
    const r = fresh();
    await pngs(r, 'train/seq1/blur/000001.png', 'train/seq1/sharp/000001.png', 'train/seq2/blur/000001.png');
    assert.equal(detectLayout(r), 'gopro');
    assert.throws(() => readGoPro(r), { message: new RegExp(`^${join(r, 'train', 'seq2')}: missing sub-folder 'sharp' \\(expected GoPro.*found: blur\\)`) });
    const r2 = fresh();
    await pngs(r2, 'train/seq1/blur/000011.png', 'train/seq1/blur/000012.png', 'train/seq1/sharp/000011.png');
    assert.throws(() => readGoPro(r2), { message: `${join(r2, 'train', 'seq1')}: 'blur' has 2 images but 'sharp' has 1; unmatched: blur/000012.png` });
    const r3 = fresh();
    dirs(r3, 'test');
    await pngs(r3, 'train/seq1/blur/1.png', 'train/seq1/sharp/1.png');
    assert.throws(() => readGoPro(r3), /test: no sequence folders/);
  });
});

describe('REDS', () => {
  test('train_blur/train_sharp and val_blur/val_sharp sequences; scene = sequence', async () => {
    const r = fresh();
    await pngs(r, 'train/train_blur/000/00000000.png', 'train/train_blur/000/00000001.png',
      'train/train_sharp/000/00000000.png', 'train/train_sharp/000/00000001.png',
      'val/val_blur/001/00000000.png', 'val/val_sharp/001/00000000.png');
    assert.equal(detectLayout(r), 'reds');
    const s = readReds(r);
    assert.deepEqual(names(s.train!), [['00000000.png', '00000000.png', '000'], ['00000001.png', '00000001.png', '000']]);
    assert.deepEqual(names(s.val!), [['00000000.png', '00000000.png', '001']]);
  });

  test('unmatched sequences and a missing sharp folder are named', async () => {
    const r = fresh();
    await pngs(r, 'train/train_blur/000/0.png', 'train/train_blur/001/0.png', 'train/train_sharp/000/0.png');
    assert.throws(() => readReds(r), { message: `${join(r, 'train')}: 'train_blur' has 2 sequences but 'train_sharp' has 1; unmatched: train_blur/001` });
    const r2 = fresh();
    await pngs(r2, 'train_blur/000/0.png');
    assert.equal(detectLayout(r2), 'reds');
    assert.throws(() => readReds(r2), /train_blur but no 'train_sharp' folder/);
  });
});

describe('RSBlur', () => {
  const seqs = ['0001/000001', '0001/000002', '0002/000001'];

  test('<scene>/<seq>/{real_blur,gt}; scene = the scene folder', async () => {
    const r = fresh();
    for (const q of seqs) await pngs(r, `${q}/real_blur/real_blur.png`, `${q}/gt/gt_sharp.png`, `${q}/avg65_img/avg_blur.png`);
    assert.equal(detectLayout(r), 'rsblur');
    const s = readRsblur(r);
    assert.deepEqual(names(s.all!), [['real_blur.png', 'gt_sharp.png', '0001'], ['real_blur.png', 'gt_sharp.png', '0001'], ['real_blur.png', 'gt_sharp.png', '0002']]);
    const r2 = fresh();
    await pngs(r2, '0001/000001/blur/1.png', '0001/000001/gt/1.png');
    assert.equal(readRsblur(r2).all!.length, 1);
    const r3 = fresh();
    await pngs(r3, '0001/000001/gt/1.png');
    assert.throws(() => readRsblur(r3), { message: new RegExp(`^${join(r3, '0001', '000001')}: missing sub-folder 'real_blur \\(or blur\\)'`) });
  });

  test('list files "gt_path blur_path" relative to ROOT; a missing file names the list line', async () => {
    const r = fresh();
    for (const q of seqs) await pngs(r, `RSBlur/${q}/real_blur/real_blur.png`, `RSBlur/${q}/gt/gt_sharp.png`);
    const line = (q: string): string => `RSBlur/${q}/gt/gt_sharp.png RSBlur/${q}/real_blur/real_blur.png`;
    text(r, 'RSBlur_real_train.txt', `${line(seqs[0]!)}\n${line(seqs[1]!)}\n`);
    text(r, 'RSBlur_real_test.txt', `${line(seqs[2]!)}\n`);
    assert.equal(detectLayout(r), 'rsblur');
    const d = readLayout(r);
    assert.ok(d.kind === 'rsblur');
    assert.deepEqual(Object.keys(d.splits).sort(), ['test', 'train']);
    assert.equal(d.splits.train!.length, 2);
    assert.equal(d.splits.test![0]!.scene, '0002');
    assert.equal(d.splits.test![0]!.blurry, join(r, 'RSBlur/0002/000001/real_blur/real_blur.png'));
    text(r, 'RSBlur_real_val.txt', `${line(seqs[0]!)}\n${line('0009/000001')}\n`);
    assert.throws(() => readRsblur(r), { message: `${join(r, 'RSBlur_real_val.txt')}:2: missing RSBlur/0009/000001/gt/gt_sharp.png and RSBlur/0009/000001/real_blur/real_blur.png (looked under ${r}, ${root})` });
  });
});

describe('RealBlur', () => {
  const REF = 'RealBlur-J_ECC_IMCORR_centroid_itensity_ref';
  const tree = async (r: string): Promise<void> => {
    for (const s of ['scene001', 'scene002']) await pngs(r, `${REF}/${s}/blur/blur_1.png`, `${REF}/${s}/blur/blur_2.png`, `${REF}/${s}/gt/gt_1.png`, `${REF}/${s}/gt/gt_2.png`);
  };

  test('scene folders below the RealBlur-J folder (blur_N ↔ gt_N)', async () => {
    const r = fresh();
    await tree(r);
    assert.equal(detectLayout(r), 'realblur');
    const s = readRealBlur(r);
    assert.deepEqual(names(s.all!), [['blur_1.png', 'gt_1.png', 'scene001'], ['blur_2.png', 'gt_2.png', 'scene001'],
      ['blur_1.png', 'gt_1.png', 'scene002'], ['blur_2.png', 'gt_2.png', 'scene002']]);
    assert.equal(detectLayout(join(r, REF)), 'realblur');
    assert.equal(readRealBlur(join(r, REF)).all!.length, 4);
    assert.throws(() => readRealBlur(r, { variant: 'R' }), /no RealBlur-R data/);
  });

  test('the official list files define train/test', async () => {
    const r = fresh();
    await tree(r);
    const e = (s: string, i: number): string => `${REF}/${s}/gt/gt_${i}.png ${REF}/${s}/blur/blur_${i}.png 0`;
    text(r, 'RealBlur_J_train_list.txt', [e('scene001', 1), e('scene001', 2), e('scene002', 1)].join('\n'));
    text(r, 'RealBlur_J_test_list.txt', `${e('scene002', 2)}\n\n`);
    const d = readLayout(r);
    assert.ok(d.kind === 'realblur');
    assert.deepEqual(names(d.splits.train!).map((x) => x[2]), ['scene001', 'scene001', 'scene002']);
    assert.equal(d.splits.test![0]!.sharp, join(r, REF, 'scene002/gt/gt_2.png'));
    text(r, 'RealBlur_J_test_list.txt', 'only-one-column.png\n');
    assert.throws(() => readRealBlur(r), { message: `${join(r, 'RealBlur_J_test_list.txt')}:1: expected "gt_path blur_path", got "only-one-column.png"` });
  });
});

describe('Blur2Blur layout', () => {
  test('trainA/trainB unpaired, trainC/trainD and testA/testB paired by name', async () => {
    const r = fresh();
    await pngs(r, 'trainA/a1.png', 'trainA/a2.png', 'trainB/b1.png', 'trainC/k1.png', 'trainC/k2.png', 'trainD/k1.png', 'trainD/k2.png',
      'testA/t1.png', 'testB/t1.png');
    assert.equal(detectLayout(r), 'blur2blur');
    const d = readLayout(r);
    assert.ok(d.kind === 'blur2blur');
    assert.deepEqual(d.set.unknownBlurry.files.map((f) => basename(f)), ['a1.png', 'a2.png']);
    assert.equal(d.set.unknownSharp.files.length, 1);
    assert.deepEqual(names(d.set.knownPairs!), [['k1.png', 'k1.png', 'k1'], ['k2.png', 'k2.png', 'k2']]);
    assert.equal(d.set.test!.files.length, 1);
    assert.ok(d.set.testPairs![0]!.sharp.endsWith(join('testB', 't1.png')));
    assert.equal(allPairs(d).length, 2);
    const r2 = fresh();
    await pngs(r2, 'trainA/a.png', 'trainB/b.png');
    const s2 = readBlur2Blur(r2);
    assert.equal(s2.knownPairs, undefined);
    assert.equal(s2.test, undefined);
  });

  test('missing trainB, trainC without trainD, empty trainA', async () => {
    const r = fresh();
    await pngs(r, 'trainA/a.png', 'testA/t.png');
    assert.throws(() => readBlur2Blur(r), { message: new RegExp(`^${r}: missing sub-folder 'trainB' \\(expected Blur2Blur`) });
    await pngs(r, 'trainB/b.png', 'trainC/k.png');
    assert.throws(() => readBlur2Blur(r), { message: `${r}: has 'trainC' but not 'trainD' (known blurry/sharp pairs need both)` });
    const r2 = fresh();
    dirs(r2, 'trainA');
    await pngs(r2, 'trainB/b.png');
    assert.throws(() => readBlur2Blur(r2), { message: new RegExp(`^${join(r2, 'trainA')}: no images`) });
  });
});

describe('detectLayout', () => {
  test('an unknown folder lists what was looked for and what was found', async () => {
    const r = fresh();
    text(r, 'README.txt', 'hello');
    dirs(r, 'misc');
    assert.throws(() => detectLayout(r), (e: Error) => {
      assert.match(e.message, new RegExp(`^${r}: unrecognised dataset layout; looked for:`));
      for (const s of ['Blur2Blur: trainA/', 'RealBlur:', 'RSBlur:', 'GoPro: train|test/<sequence>/{blur,sharp}/', 'REDS:', 'paired folders:', 'images directly']) {
        assert.ok(e.message.includes(s), `mentions ${s}`);
      }
      assert.match(e.message, /found: README\.txt, misc\/$/);
      return true;
    });
    const empty = fresh();
    dirs(empty, '.');
    assert.throws(() => detectLayout(empty), /found: an empty folder/);
    assert.throws(() => detectLayout(join(r, 'nope')), new RegExp(`${join(r, 'nope')}: not a folder`));
  });
});
