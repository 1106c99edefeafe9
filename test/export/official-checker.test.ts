// ONNX's own checker (Debian's python3-onnx) on exported models: check_model with full_check and strict
// shape inference, which must infer the declared output [batch, 3, height, width].
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDeblurrer, buildTranslator, seedWeights } from '../../src/models/index.js';
import { exportPipeline } from '../../src/export/pipeline.js';

const PY = '/usr/bin/python3';
const NO_ONNX: string | false =
  spawnSync(PY, ['-c', 'import onnx'], { encoding: 'utf8' }).status !== 0 && 'no python3-onnx (scripts/setup.sh installs it)';

const CHECK = `
import sys, onnx
for f in sys.argv[1:]:
    m = onnx.load(f)
    onnx.checker.check_model(m, full_check=True)
    out = onnx.shape_inference.infer_shapes(m, strict_mode=True).graph.output[0].type.tensor_type
    dims = [d.dim_param or d.dim_value for d in out.shape.dim]
    print(f.rsplit('/', 1)[-1], onnx.helper.tensor_dtype_to_np_dtype(out.elem_type) if hasattr(onnx.helper, 'tensor_dtype_to_np_dtype') else out.elem_type, dims)
`;

test('onnx.checker (full check, strict shape inference) accepts D_K∘G, each model alone and float16', { skip: NO_ONNX }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'b2b-onnx-check-'));
  try {
    using dk = buildDeblurrer('nafnet-small');
    using g = buildTranslator('mimo-unet-small');
    seedWeights(dk, 1);
    seedWeights(g, 2);
    const files: [string, Uint8Array][] = [
      ['both.onnx', exportPipeline({ deblurrer: dk, translator: g })],
      ['dk.onnx', exportPipeline({ deblurrer: dk, translator: null })],
      ['g.onnx', exportPipeline({ deblurrer: null, translator: g })],
      ['half.onnx', exportPipeline({ deblurrer: dk, translator: g }, { float16: true })],
    ];
    for (const [f, b] of files) writeFileSync(join(dir, f), b);
    const r = spawnSync(PY, ['-c', CHECK, ...files.map(([f]) => join(dir, f))], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 4);
    for (const l of lines) assert.match(l, /\['batch', 3, 'height', 'width'\]$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
