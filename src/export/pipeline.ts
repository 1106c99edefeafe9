// The deployable deblurrer as one ONNX graph: D_K∘G (the camera's translator, then the known-domain
// deblurrer), or either model alone, each stage clamped to [0, 1] as `b2b deblur` does. Parameters are
// named by their state-dict keys, under "translator." and "deblurrer." when both are in one graph.
import type { Tensor } from '../tensor/index.js';
import { deblur, NAFNet, type Deblurrer, type MIMOUNet } from '../models/index.js';
import { pipeline } from '../eval/pipeline.js';
import { exportOnnx, type OnnxOptions } from './onnx.js';

export interface DeployModels {
  /** D_K (NAFNet or MIMO-UNet), or null for the translator alone. */
  deblurrer: Deblurrer | null;
  /** G (MIMO-UNet), or null for D_K alone. */
  translator: MIMOUNet | null;
}

/** What the graph computes, in words (the file's metadata). */
export function describePipeline(m: DeployModels): string {
  if (m.deblurrer && m.translator) return 'D_K(G(y)): the camera translator G, then the known-blur deblurrer D_K';
  if (m.deblurrer) return 'D_K(y): the known-blur deblurrer alone';
  return "G(y): the camera translator alone (its output is the known blur's domain)";
}

/** y [N, 3, H, W] in [0, 1] → the restored image, as b2b deblur computes it (eval's pipeline; each stage clamped). */
export function pipelineFunction(m: DeployModels): (y: Tensor) => Tensor {
  const { deblurrer: dk, translator: g } = m;
  if (dk) {
    const restore = pipeline((x) => deblur(dk, x), g);
    return (y) => restore(y).clamp(0, 1);
  }
  if (g) return (y) => g.forwardAnySize(y)[2].clamp(0, 1);
  throw new Error('export: give a deblurrer, a translator or both');
}

/** The parameters by graph name. */
export function pipelineParameters(m: DeployModels): Map<string, Tensor> {
  const both = m.deblurrer !== null && m.translator !== null;
  const out = new Map<string, Tensor>();
  for (const [prefix, model] of [
    ['translator.', m.translator],
    ['deblurrer.', m.deblurrer],
  ] as const)
    if (model) for (const [k, v] of model.stateDict()) out.set(both ? prefix + k : k, v);
  return out;
}

/** The ONNX model of the pipeline (models in eval mode). */
export function exportPipeline(m: DeployModels, o: OnnxOptions = {}): Uint8Array {
  if (m.deblurrer instanceof NAFNet && m.deblurrer.usesLocalPooling())
    throw new Error(
      "export: NAFNet's test-time local pooling (--tlc) chooses its windows by the image size at run time; export the deblurrer without it",
    );
  for (const model of [m.deblurrer, m.translator]) model?.eval();
  return exportOnnx(pipelineFunction(m), pipelineParameters(m), {
    ...o,
    metadata: {
      computes: describePipeline(m),
      input: 'input: float32 [batch, 3, height, width], RGB in [0, 1] (any height and width)',
      output: 'output: float32 [batch, 3, height, width], RGB in [0, 1]',
      precision: o.float16 ? 'float16 weights and arithmetic, float32 input and output' : 'float32',
      ...o.metadata,
    },
  });
}
