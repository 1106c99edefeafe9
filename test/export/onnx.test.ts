// ONNX export checked by running the file: onnxruntime-node's output equals libtorch's (≤ 1e-4) for every
// deblurrer and translator architecture and preset, at several sizes (odd ones need the models'
// padding, computed in the graph from the input's shape), batch sizes, D_K∘G in one graph, float16.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import ort from 'onnxruntime-node';
import { noGrad, rand, scope, F, type Tensor } from '../../src/tensor/index.js';
import { buildDeblurrer, buildTranslator, seedWeights, NAFNet, type ArchId } from '../../src/models/index.js';
import { exportOnnx } from '../../src/export/onnx.js';
import { exportPipeline, pipelineFunction, type DeployModels } from '../../src/export/pipeline.js';
import { checkOnnx } from '../../src/export/check.js';

const SIZES: [number, number, number][] = [
  [1, 64, 64],
  [1, 33, 47],
  [2, 17, 90],
  [1, 100, 21],
];

/** Largest |onnxruntime − libtorch| over `sizes` for the exported `fn`. */
async function maxDiff(bytes: Uint8Array, fn: (x: Tensor) => Tensor, sizes = SIZES): Promise<number> {
  const session = await ort.InferenceSession.create(bytes);
  let worst = 0;
  for (const [n, h, w] of sizes) {
    const { x, ref } = scope(() => {
      const x = rand([n, 3, h, w]);
      return { x: x.toArray() as Float32Array, ref: noGrad(() => fn(x)).toArray() as Float32Array };
    });
    const out = (await session.run({ input: new ort.Tensor('float32', x, [n, 3, h, w]) })).output!;
    assert.deepEqual(out.dims, [n, 3, h, w]);
    const got = out.data as Float32Array;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(got[i]! - ref[i]!));
  }
  await session.release();
  return worst;
}

function seeded<T extends { eval(): unknown }>(m: T & Parameters<typeof seedWeights>[0], seed: number): T {
  seedWeights(m, seed);
  m.eval();
  return m;
}

describe('ONNX export against onnxruntime', () => {
  const deblurrers: ArchId[] = [
    'nafnet-small',
    'nafnet-small24',
    'nafnet-small32',
    'nafnet-gopro-width32',
    'nafnet-gopro-width64',
    'mimo-unet-small',
    'mimo-unet',
    'mimo-unet-plus',
  ];
  for (const arch of deblurrers) {
    test(`${arch}: same output as libtorch at every size and batch`, async () => {
      using dk = seeded(buildDeblurrer(arch), 3);
      const models: DeployModels = { deblurrer: dk, translator: null };
      const bytes = exportPipeline(models);
      const s = checkOnnx(bytes);
      assert.equal(s.opset, 17);
      assert.deepEqual(s.inputs[0]!.dims, ['batch', 3, 'height', 'width']);
      assert.ok(s.parameters >= dk.parameterCount(), 'every parameter is in the file');
      const d = await maxDiff(
        bytes,
        pipelineFunction(models),
        arch.includes('width64') || arch === 'mimo-unet-plus' ? SIZES.slice(0, 2) : SIZES,
      );
      assert.ok(d <= 1e-4, `max |onnxruntime − libtorch| = ${d}`);
    });
  }

  test('D_K∘G in one graph (G with its fixed input blur) equals b2b deblur’s pipeline; parameters under translator. and deblurrer.', async () => {
    using dk = seeded(buildDeblurrer('nafnet-small'), 4);
    using g = seeded(buildTranslator('mimo-unet-small'), 5).withInputBlur(0.6); // its kernel is folded into a constant
    const models: DeployModels = { deblurrer: dk, translator: g };
    const bytes = exportPipeline(models, { metadata: { camera: 'phone-like' } });
    const s = checkOnnx(bytes);
    assert.equal(s.metadata.camera, 'phone-like');
    assert.match(s.metadata.computes!, /D_K\(G\(y\)\)/);
    assert.match(s.metadata.input!, /\[0, 1\]/);
    const d = await maxDiff(bytes, pipelineFunction(models));
    assert.ok(d <= 1e-4, `max |onnxruntime − libtorch| = ${d}`);
    const { onnx } = await import('../../src/export/graph.js');
    const names = onnx.ModelProto.decode(bytes).graph!.initializer!.map((t) => t.name!);
    assert.ok(names.includes('translator.Encoder.0.layers.0.main.0.main.0.weight') || names.some((n) => n.startsWith('translator.')));
    assert.ok(names.includes('deblurrer.intro.weight'));
  });

  test('float16: half-precision initializers, float32 input and output, close to libtorch', async () => {
    using dk = seeded(buildDeblurrer('nafnet-small'), 6);
    const models: DeployModels = { deblurrer: dk, translator: null };
    const half = exportPipeline(models, { float16: true });
    const full = exportPipeline(models);
    assert.ok(half.length < 0.6 * full.length, `${half.length} bytes against ${full.length}`);
    const { onnx } = await import('../../src/export/graph.js');
    const inits = onnx.ModelProto.decode(half).graph!.initializer!;
    assert.equal(inits.find((t) => t.name === 'intro.weight')!.dataType, onnx.TensorProto.DataType.FLOAT16);
    const d = await maxDiff(half, pipelineFunction(models), SIZES.slice(0, 2));
    assert.ok(d > 1e-6 && d <= 1e-2, `float16 max difference ${d}`);
  });

  test('an operator without a translation, a size branch and an unmodelled size rule are errors that say so', () => {
    assert.throws(() => exportOnnx((x) => x.sin(), new Map()), /aten::sin, has no ONNX translation/);
    assert.throws(
      () => exportOnnx((x) => (x.shape[2]! > 45 ? x.relu() : x.sigmoid()), new Map()),
      /different operators at different input sizes|branch on the input size/,
    );
    assert.throws(
      () =>
        exportOnnx(
          (x) =>
            x
              .reshape([x.shape[0]!, 3, x.shape[2]! * x.shape[3]!])
              .reshape([...x.shape])
              .relu(),
          new Map(),
        ),
      /follows the input size in a way the exporter does not model/,
    );
    assert.throws(() => exportOnnx((x) => x.add_(1), new Map()), /in-place operator aten::add_/);
    using tlc = buildDeblurrer('nafnet-small') as NAFNet;
    tlc.useLocalPooling(64);
    assert.throws(() => exportPipeline({ deblurrer: tlc, translator: null }), /local pooling \(--tlc\)/);
  });

  test('size-dependent padding, slicing and resizing follow any input size', async () => {
    // pad to a multiple of 8 (replicate), halve with nearest resize, double back, crop to the input size
    const fn = (x: Tensor): Tensor => {
      const [, , h, w] = x.shape as number[];
      const p = F.pad(x, [0, (8 - (w! % 8)) % 8, 0, (8 - (h! % 8)) % 8], 'replicate');
      const small = F.interpolate(p, { scaleFactor: 0.5 });
      const big = F.interpolate(small, { size: [p.shape[2]!, p.shape[3]!] });
      return big.slice(2, 0, h!).slice(3, 0, w!).mul(2).clamp(0, 1.5);
    };
    const bytes = exportOnnx(fn, new Map());
    checkOnnx(bytes);
    const d = await maxDiff(bytes, fn, [...SIZES, [3, 8, 8], [1, 9, 15]]);
    assert.equal(d, 0);
  });
});
