// Photo file names from photo-sources.tsv: unique across the whole list (KDE wallpapers share the base
// name 2560x1600.jpg), and unchanged for every photo whose base name is unique (the embedded set).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { EMBEDDED_PHOTOS, photoFileName, readPhotoSources, type PhotoSource } from '../../src/data/photos.js';

const src = (path: string, pkg = 'p'): PhotoSource => ({ package: pkg, path, width: 1, height: 1, licence: 'CC0', content: '' });

describe('photoFileName', () => {
  test('twins get the nearest folder that tells them apart; unique names stay plain', () => {
    const all = [src('/w/Next/contents/images/2560x1600.jpg'), src('/w/Flow/contents/images/2560x1600.jpg'), src('/x/Cat.PNG'), src('/w/Next/other.jpg', 'q')];
    assert.deepEqual(all.map((s) => photoFileName(s, all)), ['p--next-2560x1600.jpg', 'p--flow-2560x1600.jpg', 'p--cat.png', 'q--other.jpg']);
    assert.equal(photoFileName(all[0]!), 'p--2560x1600.jpg', 'alone, the plain name');
    const dup = [src('/a/b.jpg'), src('/a/b.jpg')];
    assert.throws(() => photoFileName(dup[0]!, dup), /listed twice/);
  });

  test('every listed photo gets its own file, and the embedded set keeps its names', () => {
    const all = readPhotoSources();
    const names = all.map((s) => photoFileName(s, all));
    assert.equal(new Set(names).size, all.length);
    for (const f of readdirSync(EMBEDDED_PHOTOS).filter((f) => !/\.(md|json)$/.test(f))) assert.ok(names.includes(f), f);
  });
});
