// The translator trainer on tiny folders: every adversarial loss, the penalty at one or all scales, the
// curriculum, the D-input option; loss terms finite and logged; D's accuracy logged; validation through
// a D_K; configs refused with named errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { F, liveTensors, manualSeed, noGrad, rand } from '../../src/tensor/index.js';
import { readWeightsMetadata, saveWeights } from '../../src/io/weights.js';
import { RunDir } from '../../src/train/run.js';
import { trainTranslator } from '../../src/train/translator.js';
import { BlurClassifier, buildTranslator } from '../../src/models/index.js';
import { resolveTranslatorConfig, translatorConfig, type TranslatorConfig } from '../../src/train/translator-config.js';
import { resolveDeblurConfig, trainDeblur } from '../../src/train/deblur.js';
import { loadTranslator } from '../../src/infer/load.js';
import { loadModelFromCheckpoint } from '../../src/train/checkpoint.js';
import { exportCheckpoint } from '../../src/train/export.js';
import { writePairs } from './fixtures.js';
import { maxWeightDiff } from '../helpers/weights.js';

const root = mkdtempSync(join(tmpdir(), 'b2b-translator-'));
const pairs = join(root, 'pairs'),
  known = join(root, 'known');
let dk = '';
test.before(async () => {
  await writePairs(pairs, 4, 128); // pairs/blur serves as B, known/sharp as K (any images will do)
  await writePairs(known, 4, 128);
  const r = await trainDeblur(
    resolveDeblurConfig({ pairs, val: pairs, steps: 1, batch: 2, crop: 32, valEvery: 1, ckptEvery: 1, valImages: 2 }),
    join(root, 'dk'),
    { quiet: true },
  );
  dk = r.weights;
});
test.after(() => rmSync(root, { recursive: true, force: true }));

const tiny = (over: Partial<TranslatorConfig>): TranslatorConfig =>
  resolveTranslatorConfig(
    translatorConfig('paper', 'small', {
      blur: join(pairs, 'blur'),
      known: join(known, 'sharp'),
      crop: 128,
      batch: 2,
      steps: 3,
      valEvery: 3,
      ckptEvery: 3,
      valImages: 2,
      ...over,
    }),
  );

describe('translator training', () => {
  const variants: [string, Partial<TranslatorConfig>][] = [
    ['hinge, penalty at full scale, no curriculum, denoising term', { gan: 'hinge', lambdaGp: 1e-4, curriculum: false, denoise: 1 }],
    ['vanilla, penalty at all scales, curriculum', { gan: 'vanilla', gpScales: 'all', curriculum: true, curriculumSteps: 2 }],
    ['lsgan, high-pass D input, random VGG16 slices', { gan: 'lsgan', discInput: 'highpass', content: 'vgg16-random' }],
  ];
  for (const [name, over] of variants) {
    test(name, async () => {
      const before = liveTensors();
      const dir = join(root, name.replace(/[^a-z0-9]+/g, '-'));
      const c = tiny({ ...over, valPairs: pairs, deblurrer: dk });
      const r = await trainTranslator(c, dir, { quiet: true, logEvery: 1 });
      assert.equal(r.steps, 3);
      const m = RunDir.open(dir).metrics();
      const steps = m.filter((e) => typeof e.loss === 'number');
      assert.equal(steps.length, 3);
      for (const e of steps) {
        for (const k of ['loss', 'd_loss', 'gp', 'g_adv', 'rec', 'd_acc', 'd_acc_real', 'd_acc_fake']) {
          assert.ok(Number.isFinite(e[k] as number), `${k} logged and finite at step ${String(e.step)}: ${String(e[k])}`);
        }
        assert.ok((e.d_acc as number) >= 0 && (e.d_acc as number) <= 1);
        if (c.denoise > 0) assert.ok((e.denoise as number) > 0 && (e.denoise as number) < 1, `denoise logged: ${String(e.denoise)}`);
        else assert.equal(e.denoise, undefined);
      }
      if (c.curriculum)
        assert.deepEqual(
          steps.map((e) => e.batch_used),
          [1, 1, 2],
          'the easiest half first, the whole batch from curriculumSteps',
        );
      const described = m.find((e) => e.event === 'content-loss')!.description as string;
      assert.match(described, c.content === 'lowpass' ? /low-pass/ : /RANDOM weights/);
      const v = r.lastValidation!;
      for (const k of ['psnr', 'dk_alone_psnr', 'input_psnr', 'translated_vs_input_psnr', 'blur_score_translated'])
        assert.ok(Number.isFinite(v[k]!), k);
      assert.equal(readWeightsMetadata(r.weights).kind, 'translator');
      const g = loadTranslator(dir);
      g.dispose();
      assert.equal(liveTensors(), before, 'no tensors left behind');
    });
  }

  test('a translator run interrupted at step 2 and resumed equals an uninterrupted run', async () => {
    const a = join(root, 'straight'),
      b = join(root, 'resumed');
    // The denoising term draws its noise and JPEG qualities from a stream keyed by the step: a resumed run draws the same.
    const c = tiny({ steps: 4, ckptEvery: 100, valEvery: 100, curriculum: true, curriculumSteps: 3, denoise: 1, jpeg: [20, 60] });
    await trainTranslator(c, a, { quiet: true });
    const first = await trainTranslator(c, b, {
      quiet: true,
      onStep: (s) => {
        if (s === 2) process.emit('SIGTERM');
      },
    });
    assert.ok(first.interrupted);
    assert.equal(first.steps, 2);
    const second = await trainTranslator(c, b, { quiet: true, resume: true });
    assert.equal(second.steps, 4);
    const ga = loadTranslator(a),
      gb = loadTranslator(b);
    const diff = maxWeightDiff(ga, gb);
    ga.dispose();
    gb.dispose();
    assert.ok(diff < 1e-5, `max weight difference ${diff}`);
  });

  test('during the discriminator warm-up G does not move', async () => {
    const dir = join(root, 'warmup');
    const r = await trainTranslator(tiny({ discWarmup: 3, discLrScale: 4, valEvery: 100 }), dir, { quiet: true });
    assert.equal(r.steps, 3);
    manualSeed(0);
    const fresh = buildTranslator('mimo-unet-small').initIdentity(); // identityInit is on by default
    const trained = loadTranslator(dir);
    const diff = maxWeightDiff(fresh, trained);
    fresh.dispose();
    trained.dispose();
    assert.equal(diff, 0);
  });

  test("final 'best' ships G from the best validation, and says which step", async () => {
    const dir = join(root, 'best');
    const r = await trainTranslator(
      tiny({ valPairs: pairs, deblurrer: dk, steps: 4, valEvery: 1, ckptEvery: 1, gan: 'hinge', lambdaGp: 1e-4, final: 'best' }),
      dir,
      { quiet: true },
    );
    const vals = RunDir.open(dir)
      .metrics()
      .filter((e) => e.validation)
      .map((e) => ({ step: e.step as number, psnr: (e.validation as Record<string, number>).psnr! }));
    const best = vals.reduce((a, b) => (b.psnr > a.psnr ? b : a));
    const chosen = RunDir.open(dir)
      .metrics()
      .find((e) => e.event === 'final-weights')!;
    assert.equal(chosen.step, best.step);
    assert.match(readWeightsMetadata(r.weights).selected!, new RegExp(`at step ${best.step} of 4`));
    const g = loadTranslator(dir),
      fromBest = buildTranslator('mimo-unet-small');
    loadModelFromCheckpoint(RunDir.open(dir).best, 'g', fromBest);
    const a = g.stateDict(),
      b = fromBest.stateDict();
    for (const [k, t] of a) assert.equal(t.sub(b.get(k)!).abs().max().item(), 0, k);
    g.dispose();
    fromBest.dispose();
    assert.throws(() => tiny({ final: 'best' }), /final 'best' selects on validation/);
  });

  test('--input-sigma: G starts as the fixed low-pass, and the weights file and an exported checkpoint carry it', async () => {
    const dir = join(root, 'input-sigma');
    const r = await trainTranslator(tiny({ inputSigma: 0.6, steps: 1, valEvery: 1, ckptEvery: 1, discWarmup: 1 }), dir, { quiet: true });
    assert.equal(readWeightsMetadata(r.weights).input_sigma, '0.6');
    using g = loadTranslator(dir);
    assert.equal(g.options.inputSigma, 0.6);
    // G held during the warm-up is still the identity-started network: its output is the low-pass of its input
    const x = rand([1, 3, 36, 44]);
    const out = noGrad(() => g.forwardAnySize(x)[2]);
    assert.ok(out.sub(F.gaussianBlur(x, 0.6)).abs().max().item() < 1e-6);
    const exported = join(root, 'input-sigma.safetensors');
    exportCheckpoint(dir, 'latest', exported);
    assert.equal(readWeightsMetadata(exported).input_sigma, '0.6');
    using again = loadTranslator(exported);
    assert.ok(
      noGrad(() => again.forwardAnySize(x)[2])
        .sub(out)
        .abs()
        .max()
        .item() < 1e-6,
    );
    assert.throws(() => tiny({ inputSigma: -1 }), /inputSigma/);
    assert.throws(() => tiny({ denoise: -1 }), /denoise/);
    assert.throws(() => tiny({ jpeg: [40, 60] }), /jpeg shapes the denoising term's input: give denoise/);
    assert.throws(() => tiny({ denoise: 1, jpeg: [60, 40] }), /lo ≤ hi/);
    assert.throws(() => tiny({ denoise: 1, jpeg: [0, 40] }), /'jpeg' must be two numbers/);
  });

  test("final 'domain' keeps G where the blur-domain classifier finds G(B) most known-blur; no ground truth needed", async () => {
    // Any classifier will do for the selection rule: a seeded random one, saved as a classifier run.
    manualSeed(5);
    const clfDir = join(root, 'clf');
    mkdirSync(clfDir, { recursive: true });
    using clf = new BlurClassifier();
    saveWeights(join(clfDir, 'model.safetensors'), clf.stateDict(), {
      kind: 'domain-classifier',
      arch: 'blur-classifier-small',
      crop: '64',
    });
    const dir = join(root, 'domain');
    const c = tiny({
      domainClassifier: clfDir,
      steps: 4,
      valEvery: 1,
      ckptEvery: 1,
      valImages: 3,
      gan: 'hinge',
      lambdaGp: 1e-4,
      final: 'domain',
    });
    const r = await trainTranslator(c, dir, { quiet: true });
    const vals = RunDir.open(dir)
      .metrics()
      .filter((e) => e.validation)
      .map((e) => ({ step: e.step as number, v: e.validation as Record<string, number> }));
    assert.equal(vals.length, 4);
    for (const { v } of vals) {
      assert.ok(v.known_prob! > 0 && v.known_prob! < 1 && v.known_prob_input! > 0 && v.known_prob_input! < 1);
      assert.equal(v.psnr, undefined, 'no pairs, no PSNR');
    }
    const best = vals.reduce((a, b) => (b.v.known_prob! > a.v.known_prob! ? b : a));
    assert.deepEqual(r.kept, { step: best.step, score: best.v.known_prob, by: 'known_prob' });
    assert.match(readWeightsMetadata(r.weights).selected!, new RegExp(`P\\(known blur\\) of G\\(B\\).* at step ${best.step} of 4`));
    assert.throws(() => tiny({ final: 'domain' }), /final 'domain' selects by the blur-domain classifier/);
  });

  test('configs: the fallback content loss without VGG weights, named errors', () => {
    const c = tiny({});
    assert.equal(c.content, 'lowpass');
    assert.equal(
      resolveTranslatorConfig(translatorConfig('paper', 'small', { blur: 'b', known: 'k', vggWeights: 'vgg19.pth' })).content,
      'vgg19',
    );
    assert.equal(resolveTranslatorConfig(translatorConfig('official-code', 'small', { blur: 'b', known: 'k' })).gan, 'hinge');
    const measured = resolveTranslatorConfig(translatorConfig('measured', 'small', { blur: 'b', known: 'k' }));
    assert.deepEqual(
      [measured.content, measured.discInput, measured.gan, measured.lambdaGp, measured.discWarmup, measured.final],
      ['lowpass-hfcap', 'highpass', 'hinge', 1e-4, 100, 'last'],
    );
    // A run configured before 'final' existed resumes with its last weights.
    const { final: _, ...old } = translatorConfig('paper', 'small', { blur: 'b', known: 'k' });
    assert.equal(resolveTranslatorConfig(old).final, 'last');
    assert.throws(() => tiny({ gan: 'wgan' as never }), /'gan' must be one of hinge, vanilla, lsgan/);
    assert.throws(() => tiny({ arch: 'nafnet-small' }), /the translator is a MIMO-UNet/);
    assert.throws(() => tiny({ crop: 64 }), /'crop' must be an integer ≥ 128, got 64/);
    assert.throws(
      () => resolveTranslatorConfig({ ...translatorConfig('paper', 'small', { blur: 'b', known: 'k' }), extra: 1 }),
      /unknown key 'extra'/,
    );
    mkdirSync(join(root, 'empty'));
    return assert.rejects(trainTranslator(tiny({ known: join(root, 'empty') }), join(root, 'bad'), { quiet: true }), /empty/);
  });
});
