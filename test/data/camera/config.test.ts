// Camera configs: presets validate; bad keys and values are clear errors naming the file and key.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CAMERA_PRESETS, loadCamera, validateCamera } from '../../../src/data/camera/config.js';
import { splitScenes } from '../../../src/data/benchmark.js';

describe('camera configs', () => {
  test('every preset is valid and presets differ in blur character', () => {
    for (const [name, c] of Object.entries(CAMERA_PRESETS)) validateCamera(structuredClone(c), name);
    const kinds = new Set(Object.values(CAMERA_PRESETS).map((c) => c.trajectory.kind));
    assert.ok(kinds.size >= 3);
  });
  test('errors name the file and the key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'b2b-cam-'));
    try {
      const write = (name: string, v: unknown): string => {
        const f = join(dir, name);
        writeFileSync(f, typeof v === 'string' ? v : JSON.stringify(v));
        return f;
      };
      const base = structuredClone(CAMERA_PRESETS['gopro-like']) as Record<string, unknown>;
      assert.throws(() => loadCamera(write('a.json', { ...base, iso: 100 })), /a\.json: camera: unknown key 'iso'/);
      assert.throws(() => loadCamera(write('b.json', { ...base, subframes: 0 })), /b\.json: camera\.subframes must be an integer in \[1, 256\], got 0/);
      assert.throws(() => loadCamera(write('c.json', { ...base, noise: { shot: [0.2, 0.1], read: [0, 0] } })), /c\.json: camera\.noise\.shot: min 0\.2 is above max 0\.1/);
      assert.throws(() => loadCamera(write('d.json', { ...base, crf: { kind: 'log' } })), /d\.json: camera\.crf\.kind must be one of gamma, srgb, filmic/);
      assert.throws(() => loadCamera(write('e.json', '{ nope')), /e\.json: invalid JSON/);
      assert.throws(() => loadCamera('canon-like'), /canon-like: not a camera preset \(gopro-like, rsblur-like, phone-like, street-like\)/);
      const { subframes: _s, ...missing } = base;
      assert.throws(() => loadCamera(write('f.json', missing)), /f\.json: camera: missing key 'subframes'/);
      assert.equal(loadCamera(write('ok.json', base)).name, 'gopro-like');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('scene splits', () => {
  test('test, B and S are disjoint, cover every scene, and follow the seed', () => {
    const scenes = Array.from({ length: 45 }, (_, i) => `p${i}`);
    const s = splitScenes(scenes, 7, 0.25);
    const all = [...s.test, ...s.b, ...s.s];
    assert.equal(new Set(all).size, 45);
    assert.equal(all.length, 45);
    assert.equal(s.test.length, 11);
    assert.equal(s.b.length, 20);
    assert.equal(s.s.length, 14);
    assert.deepEqual(splitScenes(scenes, 7, 0.25), s);
    assert.notDeepEqual(splitScenes(scenes, 8, 0.25).test, s.test);
  });
});
