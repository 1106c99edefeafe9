// --device on every command that computes: checked before any work, a clear error where the build has
// no CUDA, and `b2b info` saying what the build supports.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { cudaBuild, distAvailable } from '../../src/tensor/index.js';
import { ROOT } from '../helpers/fixtures.js';

const b2b = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist/src/cli/b2b.js'), ...args], { encoding: 'utf8' });
const nowhere = join(tmpdir(), 'b2b-device-never');

const COMMANDS: string[][] = [
  ['train', 'deblur', '--pairs', 'p', '--out', nowhere],
  ['train', 'kernel', '--pairs', 'p', '--out', nowhere],
  ['train', 'translator', '--blur', 'b', '--known', 'k', '--out', nowhere],
  ['train', 'synthetic', '--sharp', 's', '--out', nowhere],
  ['train', 'cyclegan', '--blur', 'b', '--sharp', 's', '--out', nowhere],
  ['make-known', '--camera', 'gopro-like', '--sharp', 's', '--out', nowhere],
  ['deblur', 'x.png', '--translator', 'none', '--deblurrer', 'd', '--out', nowhere],
  ['eval', '--pairs', 'p', '--deblurrer', 'd'],
  ['bench', '--out', nowhere],
  ['demo', '--out', nowhere],
];

describe('--device', () => {
  test('every command that computes takes it, and refuses a malformed one before any work', () => {
    for (const cmd of COMMANDS) {
      const r = b2b(...cmd, '--device', 'gpu0');
      assert.equal(r.status, 2, `${cmd.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /--device must be cpu, cuda or cuda:N, got 'gpu0'/, cmd.join(' '));
      assert.match(b2b(...cmd, '--help').stdout, /--device D/, `${cmd.slice(0, 2).join(' ')} documents --device`);
    }
    assert.equal(existsSync(nowhere), false);
  });

  test('without CUDA, --device cuda says what the build is', { skip: cudaBuild() ? 'this build has CUDA' : false }, () => {
    for (const cmd of COMMANDS) {
      const r = b2b(...cmd, '--device', 'cuda');
      assert.equal(r.status, 2, cmd.join(' '));
      assert.match(r.stderr, /--device cuda: CUDA is not in this build \(libtorch [\d.]+ for the CPU/, cmd.join(' '));
    }
    assert.match(b2b('info').stdout, /cuda\s+not in this build[^\n]*\ndevices\s+cpu \(--device on every command that computes\)/);
    // A CPU build's process groups are Gloo's alone (NCCL needs CUDA).
    if (distAvailable()) assert.match(b2b('info').stdout, /parallel\s+c10d process groups: Gloo \(--nproc/);
  });
});
