// Every architecture at its paper and small presets against a PyTorch reference: the same state_dict
// keys, shapes and order; the same parameter count; the same outputs for seeded weights and inputs.
// Tiny configurations also load real torch.save files in the official wrappers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors, noGrad, scope, type Tensor } from '../../src/tensor/index.js';
import type { Module } from '../../src/nn/index.js';
import { KernelWizard, MIMOUNet, NAFNET_PRESETS, NAFNet, PatchGAN, VGGFeatures, seedWeights } from '../../src/models/index.js';
import { loadWeights } from '../../src/io/weights.js';
import { fixturePath, loadFixture } from '../helpers/fixtures.js';
import { assertMatches, seededInput, type Sampled } from '../helpers/model-fixtures.js';

interface SeededCase {
  params: number;
  keys: [string, number[]][];
  seed: number;
  inputs: [number[], number][];
  outputs?: Sampled[];
}
const seeded = loadFixture<{ vgg_layers: Record<string, number[]>; cases: Record<string, SeededCase> }>('models/seeded.json');

type Run = (m: Module, xs: Tensor[]) => Tensor[];
const nafRun: Run = (m, [x]) => [(m as NAFNet).forward(x!)];
const mimoRun: Run = (m, [x]) => (m as MIMOUNet).forward(x!);
const ganRun: Run = (m, [x]) => [(m as PatchGAN).forward(x!)];
const kwRun: Run = (m, [s, b]) => {
  const k = (m as KernelWizard).extractKernel(s!, b!).mean;
  return [k, (m as KernelWizard).adaptKernel(s!, k)];
};
const vggRun =
  (depth: string): Run =>
  (m, [x]) => {
    const vgg = m as VGGFeatures;
    const names = seeded.vgg_layers[depth]!.map((i) => [...vgg.index].find(([, j]) => j === i)![0]);
    return vgg.extract(x!, names);
  };

const builders: Record<string, [() => Module, Run]> = {
  'nafnet/gopro-width32': [() => new NAFNet('gopro-width32'), nafRun],
  'nafnet/gopro-width64': [() => new NAFNet('gopro-width64'), nafRun],
  'nafnet/small': [() => new NAFNet('small'), nafRun],
  'nafnet/small24': [() => new NAFNet('small24'), nafRun],
  'nafnet/small32': [() => new NAFNet('small32'), nafRun],
  'mimo/mimo-unet': [() => new MIMOUNet('mimo-unet'), mimoRun],
  'mimo/mimo-unet-plus': [() => new MIMOUNet('mimo-unet-plus'), mimoRun],
  'mimo/small': [() => new MIMOUNet('small'), mimoRun],
  'patchgan/paper': [() => new PatchGAN('paper'), ganRun],
  'patchgan/small': [() => new PatchGAN('small'), ganRun],
  'vgg/16': [() => new VGGFeatures({ depth: 16 }), vggRun('16')],
  'vgg/19': [() => new VGGFeatures({ depth: 19 }), vggRun('19')],
  'kernel-wizard/paper': [() => new KernelWizard('paper'), kwRun],
  'kernel-wizard/paper-vae': [() => new KernelWizard('paper-vae'), kwRun],
  'kernel-wizard/small': [() => new KernelWizard('small'), kwRun],
};

describe('architectures match the PyTorch reference (seeded weights)', () => {
  test('the fixture has a case for every builder, and outputs for every case', () => {
    assert.deepEqual(Object.keys(seeded.cases).sort(), Object.keys(builders).sort());
    assert.deepEqual(
      Object.entries(seeded.cases)
        .filter(([, c]) => !c.outputs)
        .map(([n]) => n),
      [],
    );
  });
  test('every NAFNet preset has a builder', () => {
    assert.deepEqual(
      Object.keys(NAFNET_PRESETS)
        .map((p) => `nafnet/${p}`)
        .filter((n) => !builders[n]),
      [],
    );
  });
  for (const [name, c] of Object.entries(seeded.cases)) {
    test(name, () => {
      const entry = builders[name];
      assert.ok(entry, `no builder for ${name}`);
      const [build, run] = entry;
      const model = build().eval();
      const before = liveTensors();
      try {
        const keys = [...model.stateDict()].map(([k, t]) => [k, [...t.shape]]);
        assert.deepEqual(keys, c.keys, 'state_dict keys, shapes and order');
        assert.equal(model.parameterCount(), c.params, 'parameter count');
        if (c.outputs) {
          seedWeights(model, c.seed);
          noGrad(() =>
            scope(() => {
              const outs = run(model, c.inputs.map(seededInput));
              assert.equal(outs.length, c.outputs!.length);
              outs.forEach((o, i) => assertMatches(o, c.outputs![i]!, `${name} output ${i}`));
            }),
          );
        }
        assert.equal(liveTensors(), before, 'no tensor leaked');
      } finally {
        model.dispose();
      }
    });
  }
});

interface TinyCase {
  inputs: [number[], number][];
  outputs: Sampled[];
  params: number;
}
const tiny = loadFixture<Record<string, TinyCase>>('models/tiny.json');
const tinyBuilders: Record<string, [() => Module, Run]> = {
  nafnet: [() => new NAFNet({ width: 8, encBlocks: [1, 1], middleBlocks: 1, decBlocks: [1, 1] }), nafRun],
  mimo: [() => new MIMOUNet({ numRes: 1, baseChannels: 8 }), mimoRun],
  patchgan: [() => new PatchGAN({ ndf: 8 }), ganRun],
  'kernel-wizard': [() => new KernelWizard({ nf: 4, frontRBs: 1, backRBs: 1, kernelDim: 32, extractorBlocks: 1 }), kwRun],
};

describe('torch.save checkpoints load through the importer', () => {
  for (const [name, c] of Object.entries(tiny)) {
    test(`tiny_${name}.pth`, () => {
      const [build, run] = tinyBuilders[name]!;
      const model = build().eval();
      try {
        scope(() => model.loadStateDict(loadWeights(fixturePath(`models/tiny_${name}.pth`)), {}, `tiny_${name}.pth`));
        assert.equal(model.parameterCount(), c.params);
        noGrad(() =>
          scope(() => {
            run(model, c.inputs.map(seededInput)).forEach((o, i) => assertMatches(o, c.outputs[i]!, `${name} output ${i}`));
          }),
        );
      } finally {
        model.dispose();
      }
    });
  }
});
