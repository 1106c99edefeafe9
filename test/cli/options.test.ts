// The option tables behind every training command: each flag sets its config key (with the table's
// conversion and checks), bad values name the flag, --val-every leaves the checkpoint interval alone,
// and --help lists every flag with its default.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OptionSpec, OptionTable } from '../../src/train/options.js';
import { configFromFlags } from '../../src/cli/options.js';
import { trainingHelp, type TrainingCommand } from '../../src/cli/train-run.js';
import { DEBLUR_COMMAND, KERNEL_COMMAND } from '../../src/cli/commands/train.js';
import { TRANSLATOR_COMMAND } from '../../src/cli/commands/train-translator.js';
import { CYCLEGAN_COMMAND, SYNTHETIC_COMMAND } from '../../src/cli/commands/train-baselines.js';
import { UsageError } from '../../src/cli/usage.js';

const COMMANDS = [DEBLUR_COMMAND, KERNEL_COMMAND, TRANSLATOR_COMMAND, SYNTHETIC_COMMAND, CYCLEGAN_COMMAND] as TrainingCommand<object>[];

/** A valid command-line text for a spec and the config value it must give. */
function sample(s: OptionSpec): [string, unknown] {
  const lo = s.min ?? (s.above !== undefined ? s.above + 0.25 : 1);
  const hi = s.max ?? (s.below !== undefined ? s.below - 0.25 : lo + 5);
  const mid = (lo + hi) / 2;
  switch (s.type) {
    case 'int':
      return [
        String(Math.ceil(lo) + 1 <= hi ? Math.ceil(lo) + 1 : Math.ceil(lo)),
        Math.ceil(lo) + 1 <= hi ? Math.ceil(lo) + 1 : Math.ceil(lo),
      ];
    case 'number':
      return [String(mid), mid];
    case 'pair':
    case 'pair?':
      return [`${lo},${mid}`, [lo, mid]];
    case 'boolean':
      return ['off', false];
    case 'string':
    case 'string?':
      return s.choices ? [s.choices[s.choices.length - 1]!, s.choices[s.choices.length - 1]] : ['some/path', 'some/path'];
  }
}

function flagged(table: OptionTable<object>): [string, OptionSpec & { flag: string }][] {
  return (Object.entries(table) as [string, OptionSpec][]).filter(
    (e): e is [string, OptionSpec & { flag: string }] => e[1].flag !== undefined,
  );
}

describe('training option tables', () => {
  for (const cmd of COMMANDS) {
    test(`${cmd.name}: every flag sets its config key`, () => {
      const entries = flagged(cmd.table);
      assert.ok(entries.length >= 8, `${cmd.name} has its flags (${entries.length})`);
      for (const [key, spec] of entries) {
        const [raw, want] = sample(spec);
        assert.deepEqual(configFromFlags({ [spec.flag]: raw }, cmd.table, cmd.name), { [key]: want }, `--${spec.flag} ${raw}`);
      }
    });
    test(`${cmd.name}: bad values name the flag`, () => {
      for (const [, spec] of flagged(cmd.table)) {
        const bad = spec.type === 'boolean' ? 'maybe' : spec.type.startsWith('string') ? (spec.choices ? 'nonsense' : undefined) : 'NaN';
        if (bad === undefined) continue;
        assert.throws(
          () => configFromFlags({ [spec.flag]: bad }, cmd.table, cmd.name),
          (e: unknown) => e instanceof UsageError && e.message.includes(`--${spec.flag} must be`),
        );
        if (spec.min !== undefined && spec.type !== 'pair' && spec.type !== 'pair?') {
          const min = spec.min;
          assert.throws(
            () => configFromFlags({ [spec.flag]: String(min - 1) }, cmd.table, cmd.name),
            /must be/,
            `--${spec.flag} below its minimum`,
          );
        }
      }
    });
    test(`${cmd.name}: --help lists every flag`, () => {
      const help = trainingHelp(cmd);
      for (const [, spec] of flagged(cmd.table)) assert.match(help, new RegExp(`--${spec.flag}\\b`), `--${spec.flag} in the help`);
      for (const f of ['--out', '--resume', '--config', '--minutes']) assert.ok(help.includes(f), f);
    });
  }

  test('a full config from flags: --val-every leaves the checkpoint interval at its default', () => {
    const flags = configFromFlags(
      { pairs: 'p', 'val-every': '1000', steps: '5000', betas: '0.9,0.99', lr: '5e-4' },
      DEBLUR_COMMAND.table,
      'train deblur',
    );
    const c = DEBLUR_COMMAND.build(flags, {}, 'train deblur') as {
      valEvery: number;
      ckptEvery: number;
      steps: number;
      betas: number[];
      lr: number;
    };
    assert.equal(c.valEvery, 1000);
    assert.equal(c.ckptEvery, 250);
    assert.equal(c.steps, 5000);
    assert.deepEqual(c.betas, [0.9, 0.99]);
    assert.equal(c.lr, 5e-4);
    const t = TRANSLATOR_COMMAND.build(
      configFromFlags({ blur: 'b', known: 'k', 'ckpt-every': '100', curriculum: 'off' }, TRANSLATOR_COMMAND.table, 'x'),
      { preset: 'measured' },
      'x',
    ) as { ckptEvery: number; curriculum: boolean; gan: string };
    assert.deepEqual([t.ckptEvery, t.curriculum, t.gan], [100, false, 'hinge']);
    assert.throws(() => TRANSLATOR_COMMAND.build({ blur: 'b', known: 'k' }, { preset: 'nope' }, 'x'), /--preset must be/);
  });

  test('configs are range-checked in one place: betas, learning rate, unknown and inherited keys', () => {
    assert.throws(
      () => DEBLUR_COMMAND.build({ pairs: 'p', betas: [2, -1] }, {}, 'cfg.json'),
      /cfg\.json: 'betas' must be two numbers \[a, b\], each in \[0, 1\), got \[2, -1\]/,
    );
    assert.throws(() => DEBLUR_COMMAND.build({ pairs: 'p', lr: NaN }, {}, 'cfg.json'), /'lr' must be a number in \(0, 1\], got NaN/);
    assert.throws(() => TRANSLATOR_COMMAND.build({ blur: 'b', known: 'k', betas: [0.5, 1] }, {}, 't.json'), /'betas' must be/);
    for (const key of ['__proto__', 'constructor', 'toString']) {
      assert.throws(
        () => DEBLUR_COMMAND.build(JSON.parse(`{"pairs": "p", "${key}": 1}`) as object, {}, 'cfg.json'),
        new RegExp(`unknown key '${key}'`),
      );
    }
  });
});
