// Modules: state-dict keys and order as PyTorch, strict loading errors, modes, device/dtype moves,
// and default initialisation equal to torch.nn's for the same seed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, noGrad, ones, randn, scope, tensor, zeros, type Tensor } from '../../src/tensor/index.js';
import {
  BatchNorm2d,
  Conv2d,
  ConvTranspose2d,
  InstanceNorm2d,
  LayerNorm2d,
  LeakyReLU,
  Linear,
  Module,
  ModuleList,
  Sequential,
  StateDictError,
} from '../../src/nn/index.js';
import { assertClose, loadFixture, type FixtureTensor } from '../helpers/fixtures.js';

class Block extends Module {
  readonly conv: Conv2d;
  readonly norm: BatchNorm2d;
  constructor(c: number) {
    super();
    this.conv = this.child('conv', new Conv2d(c, c, 3, { padding: 1 }));
    this.norm = this.child('norm', new BatchNorm2d(c));
  }
  forward(x: Tensor): Tensor {
    return this.norm.forward(this.conv.forward(x)).relu();
  }
}

class Net extends Module {
  readonly stem = this.child('stem', new Sequential(new Conv2d(3, 4, 3), new LeakyReLU(0.2)));
  readonly blocks = this.child('blocks', new ModuleList([new Block(4), new Block(4)]));
  readonly scale = this.param('scale', ones([1]));
}

describe('Module', () => {
  test('state-dict keys follow PyTorch naming and order', () => {
    const net = new Net();
    assert.deepEqual(
      [...net.stateDict().keys()],
      [
        'scale',
        'stem.0.weight',
        'stem.0.bias',
        'blocks.0.conv.weight',
        'blocks.0.conv.bias',
        'blocks.0.norm.weight',
        'blocks.0.norm.bias',
        'blocks.0.norm.running_mean',
        'blocks.0.norm.running_var',
        'blocks.0.norm.num_batches_tracked',
        'blocks.1.conv.weight',
        'blocks.1.conv.bias',
        'blocks.1.norm.weight',
        'blocks.1.norm.bias',
        'blocks.1.norm.running_mean',
        'blocks.1.norm.running_var',
        'blocks.1.norm.num_batches_tracked',
      ],
    );
    assert.equal(net.parameters().length, 11);
    assert.equal(net.parameterCount(), 1 + (4 * 3 * 9 + 4) + 2 * (4 * 4 * 9 + 4 + 8));
    net.dispose();
  });

  test('loadStateDict copies values and converts dtype', () => {
    const a = new Net();
    const b = new Net();
    scope(() => {
      const half = new Map([...a.stateDict()].map(([k, v]) => [k, v.dtype === 'float32' ? v.to('float64') : v]));
      b.loadStateDict(half);
      for (const [k, v] of b.stateDict()) assertClose(v, a.stateDict().get(k)!, { atol: 0, rtol: 0 }, k);
      assert.equal(b.stateDict().get('stem.0.weight')!.dtype, 'float32');
    });
    a.dispose();
    b.dispose();
  });

  test('a mismatched state dict lists missing, unexpected and wrong-shape keys and changes nothing', () => {
    const net = new Net();
    scope(() => {
      const before = net.stateDict().get('stem.0.bias')!.toNumbers();
      const sd = new Map(net.stateDict());
      sd.delete('blocks.1.conv.bias');
      sd.set('blocks.9.conv.weight', zeros([1]));
      sd.set('stem.0.weight', zeros([4, 3, 5, 5]));
      sd.set('stem.0.bias', zeros([4]));
      assert.throws(
        () => net.loadStateDict(sd, {}, 'ckpt.safetensors'),
        (e: unknown) => {
          assert.ok(e instanceof StateDictError);
          assert.match(e.message, /^ckpt\.safetensors does not match the model/);
          assert.match(e.message, /missing keys: blocks\.1\.conv\.bias/);
          assert.match(e.message, /unexpected keys: blocks\.9\.conv\.weight/);
          assert.match(e.message, /wrong shapes: stem\.0\.weight \(model \[4, 3, 3, 3\], given \[4, 3, 5, 5\]\)/);
          return true;
        },
      );
      assert.deepEqual(net.stateDict().get('stem.0.bias')!.toNumbers(), before);
      const loose = new Map(sd);
      loose.set('stem.0.weight', net.stateDict().get('stem.0.weight')!);
      const report = net.loadStateDict(loose, { strict: false });
      assert.deepEqual(report.missing, ['blocks.1.conv.bias']);
      assert.deepEqual(report.unexpected, ['blocks.9.conv.weight']);
    });
    net.dispose();
  });

  test('train/eval propagate; batch norm uses running statistics in eval', () => {
    const bn = new BatchNorm2d(2);
    const seq = new Sequential(bn);
    seq.eval();
    assert.equal(bn.training, false);
    scope(() => {
      const x = randn([3, 2, 4, 4]).mul(3).add(5);
      assertClose(seq.forward(x), x.div(Math.sqrt(1 + 1e-5)), { atol: 1e-5, rtol: 1e-5 }, 'eval is identity-like');
      seq.train();
      seq.forward(x);
      assert.equal(bn.numBatchesTracked.item(), 1);
      assert.ok(Math.abs(bn.runningMean.mean().item() - 0.5) < 0.2, 'running mean moved 10 % toward ~5');
    });
    seq.dispose();
  });

  test('to(dtype) converts floating tensors in place and keeps counters int64', () => {
    const net = new Net();
    const w = net.stateDict().get('stem.0.weight')!;
    net.to('float64');
    assert.equal(w.dtype, 'float64');
    assert.equal(w.shape.join(','), '4,3,3,3');
    assert.equal(net.stateDict().get('blocks.0.norm.num_batches_tracked')!.dtype, 'int64');
    scope(() => assert.equal(net.stem.forward(randn([1, 3, 5, 5], { dtype: 'float64' })).dtype, 'float64'));
    net.dispose();
  });

  test("a cuda device is expressible and fails with libtorch's own message here", () => {
    const lin = new Linear(2, 2);
    assert.throws(() => lin.to('cuda'), /cuda/i);
    lin.dispose();
  });

  test('LayerNorm2d equals the NAFNet formula; InstanceNorm2d normalises each channel', () => {
    const ln = new LayerNorm2d(4);
    scope(() => {
      noGrad(() => {
        ln.weight.copy_(tensor([1, 2, 3, 4]));
        ln.bias.copy_(tensor([0, 1, 0, -1]));
      });
      const x = randn([2, 4, 3, 5], { dtype: 'float32' });
      const mu = x.mean(1, { keepdim: true });
      const d = x.sub(mu);
      const ref = d
        .div(d.square().mean(1, { keepdim: true }).add(1e-6).sqrt())
        .mul(ln.weight.view([1, 4, 1, 1]))
        .add(ln.bias.view([1, 4, 1, 1]));
      assertClose(ln.forward(x), ref, { atol: 1e-5, rtol: 1e-5 }, 'LayerNorm2d');
      const inorm = new InstanceNorm2d(4).forward(x.mul(7).add(3));
      assertClose(inorm.mean([2, 3]), zeros([2, 4]), { atol: 1e-5, rtol: 0 }, 'instance mean');
    });
    ln.dispose();
  });
});

describe('default initialisation', () => {
  test('equals torch.nn with the same seed (Conv2d, Linear, ConvTranspose2d, depthwise)', () => {
    const { init } = loadFixture<{ init: Record<string, FixtureTensor> }>('nn.json');
    manualSeed(5);
    const conv = new Conv2d(3, 8, 3);
    const lin = new Linear(8, 4);
    const convt = new ConvTranspose2d(4, 2, 4, { stride: 2, padding: 1 });
    const dw = new Conv2d(8, 8, 3, { padding: 1, groups: 8, bias: false });
    const got: Record<string, Tensor> = {
      'conv.weight': conv.weight,
      'conv.bias': conv.bias!,
      'lin.weight': lin.weight,
      'lin.bias': lin.bias!,
      'convt.weight': convt.weight,
      'convt.bias': convt.bias!,
      'dw.weight': dw.weight,
    };
    for (const [k, v] of Object.entries(got)) assertClose(v, init[k]!, { atol: 0, rtol: 0 }, k);
    for (const m of [conv, lin, convt, dw]) m.dispose();
  });
});
