// b2b train translator --jpeg: a quality, a range, none, or auto (the range of the camera's JPEG files);
// refused with the flag or the folder named when it cannot be used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { TRANSLATOR_COMMAND } from '../../../src/cli/commands/train-translator.js';

test('--jpeg: one quality, a range, none, auto from the files of B; bad values and PNG-only B refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'b2b-jpegflag-'));
  try {
    const jpgs = join(dir, 'jpg'),
      pngs = join(dir, 'png');
    mkdirSync(jpgs);
    mkdirSync(pngs);
    const grey = () => sharp({ create: { width: 16, height: 16, channels: 3, background: '#707070' } });
    for (const q of [38, 55]) writeFileSync(join(jpgs, `f${q}.jpg`), await grey().jpeg({ quality: q }).toBuffer());
    writeFileSync(join(pngs, 'a.png'), await grey().png().toBuffer());
    const build = (jpeg: string, blur = jpgs, denoise = 1) =>
      TRANSLATOR_COMMAND.build({ blur, known: dir, denoise }, { jpeg }, 'train translator');
    assert.deepEqual(build('auto').jpeg, [38, 55]);
    assert.deepEqual(build('50').jpeg, [50, 50]);
    assert.deepEqual(build('35,60').jpeg, [35, 60]);
    assert.equal(build('none').jpeg, null);
    assert.equal(TRANSLATOR_COMMAND.build({ blur: jpgs, known: dir }, {}, 'train translator').jpeg, null, 'off unless asked');
    for (const bad of ['0', '60,35', '101', 'high', '30,40,50', '45.5'])
      assert.throws(() => build(bad), /--jpeg must be auto, none, a quality 1–100 or a range LO,HI/, bad);
    assert.throws(
      () => build('auto', pngs),
      (e: Error) => e.message.includes(pngs) && /none of its 1 images is a JPEG file/.test(e.message),
    );
    assert.throws(() => build('50', jpgs, 0), /give denoise a weight above 0/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
