// b2b export onnx: the camera's deblurrer as an ONNX file (D_K∘G in one graph, and each model alone),
// for onnxruntime on a phone, an edge box or a web page (b2b web).
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { loadDeblurrer, loadTranslator, weightsFile } from '../../infer/load.js';
import { readWeightsMetadata } from '../../io/weights.js';
import { writeFileAtomic } from '../../io/safetensors.js';
import { exportPipeline, type DeployModels } from '../../export/pipeline.js';
import { checkOnnx } from '../../export/check.js';
import { OPSET } from '../../export/onnx.js';
import { VERSION } from '../version.js';
import { parse, stringFlags, UsageError } from '../usage.js';

const HELP = `usage: b2b export onnx --deblurrer D [--translator G] --out FILE.onnx [--float16] [--camera NAME] [--overwrite]
  writes FILE.onnx: D_K(G(y)) as one graph (D_K alone without --translator; --deblurrer none: G alone),
  and with both models also FILE.deblurrer.onnx and FILE.translator.onnx (each alone)
  D, G          a run folder or a weights file (.safetensors records its architecture)
  --float16     half-precision weights and arithmetic (input and output stay float32)
  --camera NAME the camera the translator serves (stored in the file's metadata)
  --overwrite   replace existing files (otherwise an existing file is an error)
  --quiet       no summary
The graph: opset ${OPSET}, input 'input' float32 [batch, 3, height, width] RGB in [0, 1], any batch, height
and width; output 'output' of the same shape, clamped to [0, 1] as b2b deblur's. Each file is re-read
and checked after writing.`;

function metadataOf(role: 'deblurrer' | 'translator', spec: string): Record<string, string> {
  const file = weightsFile(spec);
  const meta = file.endsWith('.safetensors') ? readWeightsMetadata(file) : {};
  const out: Record<string, string> = { [`${role}.weights`]: basename(spec) };
  for (const k of ['arch', 'steps', 'validation']) if (meta[k] !== undefined) out[`${role}.${k}`] = meta[k]!;
  return out;
}

export async function exportCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(
    argv,
    {
      ...stringFlags('deblurrer', 'translator', 'out', 'camera'),
      float16: { type: 'boolean' },
      overwrite: { type: 'boolean' },
      quiet: { type: 'boolean' },
    },
    HELP,
  );
  if (positionals[0] !== 'onnx' || positionals.length > 1)
    throw new UsageError(`export: the format is 'onnx' (b2b export onnx …), got '${positionals.join(' ')}'\n\n${HELP}`);
  if (!values.out) throw new UsageError(`export: give --out FILE.onnx\n\n${HELP}`);
  if (!values.out.endsWith('.onnx')) throw new UsageError(`export: --out must end in .onnx, got '${values.out}'`);
  const dkSpec = values.deblurrer === 'none' ? undefined : values.deblurrer;
  const gSpec = values.translator === 'none' ? undefined : values.translator;
  if (!dkSpec && !gSpec) throw new UsageError(`export: give --deblurrer D, --translator G, or both\n\n${HELP}`);

  using dk = dkSpec ? loadDeblurrer(dkSpec) : null;
  using g = gSpec ? loadTranslator(gSpec) : null;
  const meta: Record<string, string> = {
    ...(dkSpec ? metadataOf('deblurrer', dkSpec) : {}),
    ...(gSpec ? metadataOf('translator', gSpec) : {}),
    ...(values.camera ? { camera: values.camera } : {}),
  };
  const stem = values.out.slice(0, -'.onnx'.length);
  const jobs: [string, DeployModels][] = [[values.out, { deblurrer: dk, translator: g }]];
  if (dk && g)
    jobs.push(
      [`${stem}.deblurrer.onnx`, { deblurrer: dk, translator: null }],
      [`${stem}.translator.onnx`, { deblurrer: null, translator: g }],
    );
  for (const [file] of jobs) {
    if (existsSync(file) && !values.overwrite) throw new UsageError(`${file} exists: give --overwrite to replace it, or another --out`);
    if (existsSync(file) && statSync(file).isDirectory()) throw new UsageError(`${file} is a folder: --out names the .onnx file to write`);
  }
  for (const [file, models] of jobs) {
    const t0 = performance.now();
    const bytes = exportPipeline(models, { float16: values.float16, metadata: meta, producerVersion: VERSION, graphName: basename(stem) });
    writeFileAtomic(file, [bytes]); // through a temporary beside it: never a half-written file under the name
    const s = checkOnnx(bytes, file);
    if (!values.quiet)
      console.log(
        `${file}: ${s.metadata.computes}; ${s.nodes} nodes, ${(s.parameters / 1e6).toFixed(2)} M parameters, ` +
          `${(bytes.length / 2 ** 20).toFixed(1)} MiB, opset ${s.opset}${values.float16 ? ', float16' : ''} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
      );
  }
}
