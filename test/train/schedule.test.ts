// Learning-rate schedules: values at known steps.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { learningRate } from '../../src/train/schedule.js';

const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

describe('schedules', () => {
  test('constant, linear, cosine, constant-then-linear', () => {
    close(learningRate({ kind: 'constant' }, 0.1, 500), 0.1);
    close(learningRate({ kind: 'linear', total: 100 }, 1, 0), 1);
    close(learningRate({ kind: 'linear', total: 100 }, 1, 50), 0.5);
    close(learningRate({ kind: 'linear', total: 100, end: 0.1 }, 1, 100), 0.1);
    close(learningRate({ kind: 'cosine', total: 100 }, 2, 0), 2);
    close(learningRate({ kind: 'cosine', total: 100 }, 2, 50), 1);
    close(learningRate({ kind: 'cosine', total: 100, min: 1e-7 }, 1e-3, 100), 1e-7);
    close(learningRate({ kind: 'cosine', total: 100 }, 1, 25), (1 + Math.cos(Math.PI / 4)) / 2);
    // pix2pix/Blur2Blur: constant for 100, then 1 − (e + 1 − 100)/201
    close(learningRate({ kind: 'constant-then-linear', constant: 100, decay: 200 }, 2e-4, 98), 2e-4);
    close(learningRate({ kind: 'constant-then-linear', constant: 100, decay: 200 }, 2e-4, 99), 2e-4 * (1 - 0 / 201));
    close(learningRate({ kind: 'constant-then-linear', constant: 100, decay: 200 }, 2e-4, 150), 2e-4 * (1 - 51 / 201));
    close(learningRate({ kind: 'constant-then-linear', constant: 100, decay: 200 }, 2e-4, 400), 0);
  });
});
