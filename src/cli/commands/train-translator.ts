// b2b train translator: the Blur2Blur translator G (target camera's blur → known blur).
import { RECIPES, SIZES, FALLBACK_CONTENT, resolveTranslatorConfig, translatorConfig, type RecipeName, type SizeName, type TranslatorConfig } from '../../train/translator-config.js';
import { trainTranslator } from '../../train/translator.js';
import { readConfigFile } from '../../train/deblur.js';
import { RunDir } from '../../train/run.js';
import { budgetHelp, budgetSeconds, parse, UsageError } from '../usage.js';

const HELP = `usage:
  b2b train translator --blur B_DIR --known K_DIR --out RUN [options]
  b2b train translator --resume RUN
G (MIMO-UNet, 3 scales) learns to turn the target camera's blur (B) into the known blur (K, from
b2b make-known), against a PatchGAN shared by the three scales.
  --preset P        paper (log-loss GAN, λ_gp 0.005, VGG19, curriculum; the default with --vgg-weights),
                    official-code (hinge, λ_gp 1e-4, VGG16 slices, no curriculum), or measured (hinge,
                    λ_gp 1e-4, high-pass D, low-pass + high-frequency cap content loss, 100 D-only steps:
                    what works here without ImageNet VGG weights, and the default without them)
  --size S          small (MIMO-UNet-small, PatchGAN ndf 32, crop ${SIZES.small.crop}, batch ${SIZES.small.batch}, ${SIZES.small.steps} steps; default)
                    or paper (MIMO-UNet, ndf 64, crop 256, batch 16, 200k steps: GPUs)
  --val-pairs DIR   pairs of the target camera with ground truth (validation only)
  --deblurrer RUN   D_K, for the validation PSNR of D_K(G(y)) and sample grids
  --gan L           hinge, vanilla or lsgan          --lambda-gp X    gradient-penalty weight
  --gp-scales S     full or all                      --lambda-rec X   content-loss weight (0.8)
  --content C       vgg19, vgg16 (need --vgg-weights), lowpass, lowpass-hf, lowpass-hfcap,
                    vgg19-random, vgg16-random
  --vgg-weights F   torchvision VGG weights (vgg19-dcbb9e9d.pth / vgg16-397923af.pth)
                    Without them, paper and official-code fall back to '${FALLBACK_CONTENT}' (the run log says so).
  --disc-input V    rgb (paper) or highpass (D blind to colour and exposure)
  --identity-init on|off  start G as the identity (default on)
  --disc-lr-scale X D's learning rate relative to G's (default 1)
  --disc-warmup N   steps in which only D trains at the start (default 0)
  --final last|best the weights to keep: G after the last step (default), or G at its best validation
                    PSNR of D_K(G(y)) (needs --val-pairs and --deblurrer: the training scenes' split)
  --curriculum on|off   --steps N   --batch N   --crop N   --lr X   --seed N   --val-every N
  --init FILE       G's starting weights      --config FILE   a JSON config; flags override it
${budgetHelp(20)}
Logged every 50 steps: D and G losses, gradient penalty, content loss, D's accuracy on real K vs G(B).`;

export async function trainTranslatorCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    blur: { type: 'string' }, known: { type: 'string' }, 'val-pairs': { type: 'string' }, deblurrer: { type: 'string' }, out: { type: 'string' },
    preset: { type: 'string' }, size: { type: 'string' }, gan: { type: 'string' }, 'lambda-gp': { type: 'string' }, 'gp-scales': { type: 'string' },
    'lambda-rec': { type: 'string' }, content: { type: 'string' }, 'vgg-weights': { type: 'string' }, 'disc-input': { type: 'string' },
    'disc-lr-scale': { type: 'string' }, 'identity-init': { type: 'string' }, 'disc-warmup': { type: 'string' }, final: { type: 'string' }, curriculum: { type: 'string' }, steps: { type: 'string' }, batch: { type: 'string' }, crop: { type: 'string' }, lr: { type: 'string' },
    seed: { type: 'string' }, 'val-every': { type: 'string' }, init: { type: 'string' }, config: { type: 'string' }, resume: { type: 'string' }, minutes: { type: 'string' },
  }, HELP);
  if (values.help) {
    console.log(HELP);
    return;
  }
  let config: TranslatorConfig, out: string;
  if (values.resume) {
    out = values.resume;
    const { kind, ...saved } = RunDir.open(out).config<Record<string, unknown> & { kind: string }>();
    if (kind !== 'translator') throw new Error(`${out}: a '${kind}' run, not a translator run`);
    config = resolveTranslatorConfig(saved, `${out}/config.json`);
  } else {
    if (!values.out) throw new UsageError(`train translator: give --out RUN\n\n${HELP}`);
    out = values.out;
    const preset = (values.preset ?? (values['vgg-weights'] ? 'paper' : 'measured')) as RecipeName, size = (values.size ?? 'small') as SizeName;
    if (!(preset in RECIPES)) throw new UsageError(`train translator: --preset must be ${Object.keys(RECIPES).join(' or ')}, got '${preset}'`);
    if (!(size in SIZES)) throw new UsageError(`train translator: --size must be ${Object.keys(SIZES).join(' or ')}, got '${size}'`);
    const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
    if (values.curriculum !== undefined && !['on', 'off'].includes(values.curriculum)) throw new UsageError(`train translator: --curriculum is on or off`);
    const flags: Record<string, unknown> = Object.fromEntries(Object.entries({
      blur: values.blur, known: values.known, valPairs: values['val-pairs'], deblurrer: values.deblurrer, gan: values.gan,
      lambdaGp: num(values['lambda-gp']), gpScales: values['gp-scales'], lambdaRec: num(values['lambda-rec']), content: values.content,
      vggWeights: values['vgg-weights'], discInput: values['disc-input'], discLrScale: num(values['disc-lr-scale']), identityInit: values['identity-init'] === undefined ? undefined : values['identity-init'] === 'on', discWarmup: num(values['disc-warmup']), final: values.final as 'last' | 'best' | undefined, curriculum: values.curriculum === undefined ? undefined : values.curriculum === 'on',
      steps: num(values.steps), batch: num(values.batch), crop: num(values.crop), lr: num(values.lr), seed: num(values.seed),
      valEvery: num(values['val-every']), ckptEvery: num(values['val-every']), init: values.init,
    }).filter(([, v]) => v !== undefined));
    const file = values.config ? readConfigFile(values.config) : {};
    config = resolveTranslatorConfig(translatorConfig(preset, size, { ...file, ...flags } as Partial<TranslatorConfig>), values.config ?? 'train translator');
  }
  const r = await trainTranslator(config, out, { resume: Boolean(values.resume), maxSeconds: budgetSeconds(values.minutes, 'train translator') });
  const v = r.lastValidation;
  const summary = v && v.psnr !== undefined
    ? `; validation D_K(G(y)) ${v.psnr.toFixed(2)} dB, D_K(y) ${v.dk_alone_psnr!.toFixed(2)} dB, input ${v.input_psnr!.toFixed(2)} dB`
    : '';
  console.log(`${r.interrupted ? 'stopped' : 'finished'} at step ${r.steps}/${config.steps} in ${(r.seconds / 60).toFixed(1)} min${summary}; weights: ${r.weights}`);
}
