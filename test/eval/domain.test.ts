// Judging images with a blur-domain classifier: an image's logit is the mean over its tiles, a verdict
// counts the images with a positive logit, and a transform (the translator) is applied first.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, noGrad, rand, scope, stack } from '../../src/tensor/index.js';
import { BlurClassifier } from '../../src/models/index.js';
import { domainVerdict, imageLogit } from '../../src/eval/domain.js';
import { writeRandomImage } from '../helpers/images.js';

const root = mkdtempSync(join(tmpdir(), 'b2b-domain-eval-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

describe('domain verdicts', () => {
  test("an image's logit is the mean of its tiles' logits; an image smaller than a tile is judged whole", () => {
    using clf = new BlurClassifier({ width: 8 });
    clf.eval();
    noGrad(() =>
      scope(() => {
        const img = rand([3, 64, 96], { generator: new Generator(1) });
        const tiles = [0, 32].flatMap((y) => [0, 32, 64].map((x) => img.slice(1, y, y + 32).slice(2, x, x + 32)));
        const expected = clf.forward(stack(tiles, 0)).mean().item();
        assert.ok(Math.abs(imageLogit(clf, img, 32) - expected) < 1e-5);
        const small = rand([3, 20, 24], { generator: new Generator(2) });
        assert.ok(Math.abs(imageLogit(clf, small, 32) - clf.forward(small.slice(2, 0, 20).unsqueeze(0)).item()) < 1e-5);
        // At most maxTiles tiles, spread over the grid.
        assert.ok(Number.isFinite(imageLogit(clf, img, 8, 5)));
      }),
    );
  });

  test('the share called known-blur and the mean probability; the transform is applied first; errors name the file', async () => {
    using clf = new BlurClassifier({ width: 8 });
    clf.eval();
    // A classifier that calls everything known-blur: the head's bias dominates.
    noGrad(() => {
      clf.head.weight.zero_();
      clf.head.bias!.fill_(3);
    });
    const files = [0, 1, 2].map((i) => join(root, `im${i}.png`));
    for (const [i, f] of files.entries()) await writeRandomImage(f, 40, 40, i);
    const v = await domainVerdict(clf, 32, files);
    assert.equal(v.images, 3);
    assert.equal(v.knownShare, 1);
    assert.ok(Math.abs(v.meanProbability - 1 / (1 + Math.exp(-3))) < 1e-6);
    let seen = 0;
    await domainVerdict(clf, 32, files, (x) => {
      seen++;
      assert.deepEqual(x.shape, [1, 3, 40, 40]);
      return x;
    });
    assert.equal(seen, 3);
    noGrad(() => clf.head.bias!.fill_(-3));
    assert.equal((await domainVerdict(clf, 32, files)).knownShare, 0);
    await assert.rejects(domainVerdict(clf, 32, [join(root, 'missing.png')]), /missing\.png/);
    await assert.rejects(domainVerdict(clf, 32, []), /no images/);
  });
});
