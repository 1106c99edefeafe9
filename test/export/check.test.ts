// The ONNX well-formedness check: a good export passes; broken graphs fail with the problem named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportOnnx } from '../../src/export/onnx.js';
import { checkOnnx } from '../../src/export/check.js';
import { onnx } from '../../src/export/graph.js';
import { buildTranslator, seedWeights } from '../../src/models/index.js';

function model(): Uint8Array {
  using m = buildTranslator('mimo-unet-small');
  seedWeights(m, 1);
  m.eval();
  return exportOnnx((x) => m.forwardAnySize(x)[2], m.stateDict());
}

test('an export is well formed: topological order, one definition per value, initializer sizes, the output rank', () => {
  const s = checkOnnx(model());
  assert.ok(s.nodes > 50);
  assert.ok(s.ops.Conv! > 10);
  assert.deepEqual(s.outputs[0]!.dims, ['batch', 3, 'height', 'width']);
});

test('broken graphs are refused with the reason', () => {
  const edit = (f: (m: ReturnType<typeof onnx.ModelProto.decode>) => void): Uint8Array => {
    const m = onnx.ModelProto.decode(model());
    f(m);
    return onnx.ModelProto.encode(m).finish();
  };
  assert.throws(
    () =>
      checkOnnx(
        edit((m) => m.graph!.node!.reverse()),
        'x.onnx',
      ),
    /x\.onnx: node 0 .* reads '.*' before any node defines it/,
  );
  assert.throws(() => checkOnnx(edit((m) => (m.graph!.initializer![0]!.rawData = new Uint8Array(3)))), /holds 3 bytes for shape/);
  assert.throws(() => checkOnnx(edit((m) => m.graph!.node!.push({ ...m.graph!.node![0]!, name: 'dup' }))), /defines '.*' again/);
  assert.throws(() => checkOnnx(edit((m) => (m.graph!.output![0]!.name = 'nowhere'))), /output 'nowhere' is never defined/);
  assert.throws(
    () => checkOnnx(edit((m) => m.graph!.initializer!.push({ ...m.graph!.initializer![0]!, name: 'spare' }))),
    /initializer 'spare' is never read/,
  );
  assert.throws(() => checkOnnx(new Uint8Array([0xff, 0xff, 0xff])), /not an ONNX model/);
});
