// Video I/O through ffmpeg: probing, streamed decoding (frame selection, early stop), encoding with
// audio, and clear errors. Clips are generated at test time with ffmpeg's lavfi sources.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { liveTensors, noGrad, rand, scope, tensor, type Tensor } from '../../src/tensor/index.js';
import { readImage } from '../../src/data/image.js';
import { fpsToRational, probeVideo, readFrames, writeVideo } from '../../src/data/video.js';

let dir = '';
let clip = ''; // 64×48, 10 fps, 10 frames, with a 440 Hz audio track
let ntsc = ''; // 64×48, 30000/1001 fps, Matroska (no nb_frames)
let big = ''; // 320×240, 100 frames: the pipe fills long before the end
let liveBefore = 0;

function ffmpeg(...args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args]);
}

async function collect(it: AsyncIterable<Tensor>): Promise<Tensor[]> {
  const out: Tensor[] = [];
  for await (const t of it) out.push(t);
  return out;
}

function maxAbsDiff(a: Tensor, b: Tensor): number {
  return noGrad(() => scope(() => a.sub(b).abs().max().item()));
}

function meanAbsDiff(a: Tensor, b: Tensor): number {
  return noGrad(() => scope(() => a.sub(b).abs().mean().item()));
}

function childCommands(): string[] {
  const names: string[] = [];
  for (const task of readdirSync('/proc/self/task')) {
    const kids = readFileSync(`/proc/self/task/${task}/children`, 'utf8').trim();
    for (const pid of kids.split(/\s+/).filter(Boolean)) {
      try {
        names.push(readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
      } catch { /* exited meanwhile */ }
    }
  }
  return names;
}

before(() => {
  liveBefore = liveTensors();
  dir = mkdtempSync(join(tmpdir(), 'b2b-video-'));
  clip = join(dir, 'clip.mp4');
  ntsc = join(dir, 'ntsc.mkv');
  big = join(dir, 'big.mp4');
  ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=10', '-f', 'lavfi', '-i', 'sine=frequency=440',
    '-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', clip);
  ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=30000/1001', '-frames:v', '15',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', ntsc);
  ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-frames:v', '100',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', big);
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
  assert.equal(liveTensors(), liveBefore, 'every tensor of the suite was released');
});

describe('probeVideo', () => {
  test('size, frame rate, frame count, duration and audio of a generated clip', async () => {
    const v = await probeVideo(clip);
    assert.equal(v.width, 64);
    assert.equal(v.height, 48);
    assert.equal(v.fps, 10);
    assert.equal(v.frames, 10);
    assert.equal(v.framesExact, true);
    assert.ok(Math.abs(v.duration - 1) < 0.05, `duration ${v.duration}`);
    assert.equal(v.hasAudio, true);
    assert.equal(v.codec, 'h264');
  });

  test('a 30000/1001 clip without nb_frames: fractional fps, frame count from the duration', async () => {
    const v = await probeVideo(ntsc);
    assert.equal(v.fpsRational, '30000/1001');
    assert.ok(Math.abs(v.fps - 29.97003) < 1e-4, `fps ${v.fps}`);
    assert.equal(v.framesExact, false);
    assert.equal(v.frames, 15);
    assert.equal(v.hasAudio, false);
  });

  test('a file that is not a video is named in the error', async () => {
    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'these are not frames\n'.repeat(20));
    await assert.rejects(probeVideo(notes), (e: Error) => e.message.startsWith(`${notes}: not a video (ffprobe:`));
    await assert.rejects(collect(readFrames(notes)), /notes\.txt: not a video/);
    await assert.rejects(probeVideo(join(dir, 'missing.mp4')), /missing\.mp4: not a video .*No such file/);
    const garbage = join(dir, 'garbage.mp4');
    writeFileSync(garbage, Buffer.alloc(4000, 7));
    await assert.rejects(probeVideo(garbage), (e: Error) => e.message === `${garbage}: not a video (ffprobe: Invalid data found when processing input)`);
    const sound = join(dir, 'sound.m4a');
    ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '0.2', sound);
    await assert.rejects(probeVideo(sound), /sound\.m4a: not a video \(no video stream\)/);
  });
});

describe('readFrames', () => {
  test('yields every frame as [3, H, W] float32 in [0, 1], matching an ffmpeg-extracted PNG', async () => {
    const frames = await collect(readFrames(clip));
    assert.equal(frames.length, 10);
    for (const f of frames) {
      assert.deepEqual(f.shape, [3, 48, 64]);
      assert.equal(f.dtype, 'float32');
    }
    const png = join(dir, 'frame3.png');
    ffmpeg('-i', clip, '-vf', 'select=eq(n\\,3)', '-fps_mode', 'passthrough', '-frames:v', '1', png);
    const { tensor: ref } = await readImage(png);
    assert.ok(maxAbsDiff(frames[3]!, ref) <= 2 / 255 + 1e-6, 'frame 3 matches the PNG within 2/255');
    assert.ok(maxAbsDiff(frames[2]!, ref) > 0.05, 'and differs from its neighbour');
    const [lo, hi] = noGrad(() => scope(() => [frames[5]!.min().item(), frames[5]!.max().item()]));
    assert.ok(lo! >= 0 && hi! <= 1 && hi! > 0.5);

    const picked = await collect(readFrames(clip, { start: 2, count: 3, step: 3 }));
    assert.equal(picked.length, 3);
    [2, 5, 8].forEach((i, j) => assert.equal(maxAbsDiff(picked[j]!, frames[i]!), 0, `frame ${i}`));
    const tail = await collect(readFrames(clip, { start: 8 }));
    assert.equal(tail.length, 2);
    for (const t of [ref, ...frames, ...picked, ...tail]) t.dispose();
  });

  test('stopping early kills ffmpeg instead of hanging', async () => {
    const t0 = Date.now();
    let got = 0;
    for await (const f of readFrames(big)) {
      assert.deepEqual(f.shape, [3, 240, 320]);
      f.dispose();
      if (++got === 2) break;
    }
    assert.equal(got, 2);
    assert.ok(!childCommands().includes('ffmpeg'), 'no ffmpeg child left');
    const gen = readFrames(big, { step: 2 });
    const first = await gen.next();
    (first.value as Tensor).dispose();
    await gen.return(undefined);
    assert.ok(!childCommands().includes('ffmpeg'), 'no ffmpeg child left after return()');
    assert.ok(Date.now() - t0 < 5000);
  });

  test('bad options are refused naming the file', async () => {
    await assert.rejects(collect(readFrames(clip, { step: 0 })), /clip\.mp4: step must be an integer ≥ 1/);
  });
});

describe('writeVideo', () => {
  test('round trip keeps frame count, size, fps and values; audioFrom adds the audio track', async () => {
    const frames = await collect(readFrames(clip));
    const silent = join(dir, 'silent.mp4');
    const voiced = join(dir, 'voiced.mp4');
    assert.deepEqual(await writeVideo(silent, frames, { fps: 10 }), { frames: 10 });
    assert.deepEqual(await writeVideo(voiced, (async function* () { yield* frames; })(), { fps: 10, audioFrom: clip }),
      { frames: 10 });
    assert.ok(frames.every((f) => !f.isDisposed), 'the caller keeps its frames');
    for (const [file, audio] of [[silent, false], [voiced, true]] as const) {
      const v = await probeVideo(file);
      assert.equal(v.width, 64);
      assert.equal(v.height, 48);
      assert.equal(v.fps, 10);
      assert.equal(v.frames, 10);
      assert.equal(v.pixFmt, 'yuv420p');
      assert.equal(v.hasAudio, audio, file);
    }
    const back = await collect(readFrames(silent));
    assert.equal(back.length, 10);
    for (let i = 0; i < 10; i++) assert.ok(meanAbsDiff(back[i]!, frames[i]!) < 0.02, `frame ${i} survives encoding`);
    assert.deepEqual(readdirSync(dir).filter((n) => n.includes('partial')), []);
    for (const t of [...frames, ...back]) t.dispose();
  });

  test('odd sizes are padded to even, NTSC rates are kept exactly', async () => {
    // A flat colour: checks the colour matrix both ways, and that padding replicates the edge.
    const frames = [0, 1, 2].map(() => scope(() => tensor([0.8, 0.2, 0.4]).reshape([3, 1, 1]).expand([3, 25, 33]).contiguous()));
    const out = join(dir, 'odd.mp4');
    assert.deepEqual(await writeVideo(out, frames, { fps: 30000 / 1001, crf: 23, preset: 'ultrafast' }), { frames: 3 });
    const v = await probeVideo(out);
    assert.equal(v.width, 34);
    assert.equal(v.height, 26);
    assert.equal(v.fpsRational, '30000/1001');
    assert.equal(v.frames, 3);
    for await (const f of readFrames(out)) {
      const [lo, hi] = scope(() => [f.sub(frames[0]!.select(2, 0).select(1, 0).reshape([3, 1, 1])).min().item(),
        f.sub(frames[0]!.select(2, 0).select(1, 0).reshape([3, 1, 1])).max().item()]);
      assert.ok(lo! >= -2 / 255 && hi! <= 2 / 255, `flat colour kept to 2/255 (${lo}, ${hi})`);
      f.dispose();
    }
    for (const f of frames) f.dispose();
    assert.equal(fpsToRational(25), '25/1');
    assert.equal(fpsToRational(24000 / 1001), '24000/1001');
    assert.equal(fpsToRational(12.5), '25/2');
  });

  test('a wrong frame fails naming the output, leaving no file behind', async () => {
    const out = join(dir, 'bad.mp4');
    const a = rand([3, 16, 16]), b = rand([3, 8, 16]);
    await assert.rejects(writeVideo(out, [a, b], { fps: 5 }), /bad\.mp4: frame 1 is 16×8, the first was 16×16/);
    const flat = rand([16, 16]);
    await assert.rejects(writeVideo(out, [flat], { fps: 5 }), /bad\.mp4: frame 0 is \[16, 16\], expected \[3, H, W\]/);
    flat.dispose();
    await assert.rejects(writeVideo(out, [], { fps: 5 }), /bad\.mp4: no frames/);
    assert.equal(existsSync(out), false);
    assert.deepEqual(readdirSync(dir).filter((n) => n.includes('partial')), []);
    assert.ok(!childCommands().includes('ffmpeg'));
    a.dispose();
    b.dispose();
  });
});
