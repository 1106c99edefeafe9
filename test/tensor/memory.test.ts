// Memory: scopes release what they do not return, nothing leaks across a 200-step training loop.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  F,
  Generator,
  allocatorStats,
  liveTensors,
  noGrad,
  randn,
  scope,
  scopeDepth,
  tensor,
  type Tensor,
} from '../../src/tensor/index.js';
import { Conv2d, Module } from '../../src/nn/index.js';
import { Adam } from '../../src/optim/index.js';

describe('scope', () => {
  test('disposes temporaries, keeps what is returned (nested in arrays/objects/maps) and kept tensors', () => {
    const before = liveTensors();
    let kept: Tensor | undefined;
    const out = scope(() => {
      const a = tensor([1, 2, 3]);
      const b = a.mul(2);
      kept = a.add(100).keep();
      a.sub(1); // temporary
      return { sum: b.sum(), list: [b], map: new Map([['x', a]]) };
    });
    assert.equal(liveTensors(), before + 4, 'b, its sum, a and the kept tensor survive');
    assert.equal(out.sum.item(), 12);
    assert.equal(kept!.isDisposed, false);
    for (const t of [out.sum, out.list[0]!, out.map.get('x')!, kept!]) t.dispose();
    assert.equal(liveTensors(), before);
  });

  test('a returned tensor moves to the enclosing scope and is released there', () => {
    const before = liveTensors();
    let inner: Tensor | undefined;
    scope(() => {
      inner = scope(() => tensor([1]).add(1));
      assert.equal(inner.isDisposed, false);
      assert.equal(scopeDepth(), 1);
    });
    assert.equal(inner!.isDisposed, true);
    assert.equal(liveTensors(), before);
  });

  test('a throw inside releases everything and propagates; async functions are refused', () => {
    const before = liveTensors();
    assert.throws(
      () =>
        scope(() => {
          tensor([1, 2]).mul(3);
          throw new Error('inside');
        }),
      /inside/,
    );
    assert.equal(liveTensors(), before);
    assert.throws(() => scope(() => Promise.resolve(1) as unknown as number), /synchronous/);
    assert.equal(scopeDepth(), 0);
  });
});

class SmallNet extends Module {
  readonly c1 = this.child('c1', new Conv2d(3, 8, 3, { padding: 1 }));
  readonly c2 = this.child('c2', new Conv2d(8, 3, 3, { padding: 1 }));
  forward(x: Tensor): Tensor {
    return x.add(this.c2.forward(this.c1.forward(x).leakyRelu(0.1)));
  }
}

describe('training loop', () => {
  test('200 steps lower the loss and leave the live-tensor count and allocator use unchanged', () => {
    const g = new Generator(0);
    const net = new SmallNet();
    const opt = new Adam(net.parameters(), { lr: 2e-3 });
    const kernel = tensor([[[[0.25, 0.5, 0.25]]]]).keep(); // a blur the net learns to undo
    const batch = (): { x: Tensor; y: Tensor } => {
      const y = randn([4, 3, 16, 16], { generator: g });
      const x = F.conv2d(F.pad(y, [1, 1, 0, 0], 'reflect'), kernel.expand([3, 1, 1, 3]), undefined, { groups: 3 });
      return { x, y };
    };
    const lossAt = (): number =>
      scope(() =>
        noGrad(() => {
          const { x, y } = batch();
          return net.forward(x).sub(y).abs().mean().item();
        }),
      );
    const first = lossAt();
    let liveAt10 = 0;
    let inUseAt10 = 0;
    for (let step = 0; step < 200; step++) {
      scope(() => {
        const { x, y } = batch();
        const loss = net.forward(x).sub(y).abs().mean();
        opt.zeroGrad();
        loss.backward();
        opt.update();
      });
      if (step === 10) {
        liveAt10 = liveTensors();
        inUseAt10 = allocatorStats().inUseBytes;
      }
    }
    const last = lossAt();
    assert.ok(last < first * 0.8, `loss fell from ${first} to ${last}`);
    assert.equal(liveTensors(), liveAt10, 'no tensor handle leaked between step 10 and step 200');
    assert.ok(allocatorStats().inUseBytes <= inUseAt10 + 1024, 'no native memory leaked');
    opt.dispose();
    net.dispose();
    kernel.dispose();
  });
});
