// Camera configurations: a camera is a typed, JSON-serialisable description of how it blurs and
// renders a scene. Presets model a known GoPro-like camera and unknown cameras that differ the way real
// datasets differ (trajectory shape, exposure, response curve, saturation, noise, rolling shutter,
// in-camera processing). Validation names the file and the key; unknown keys are errors.
import { readFileSync } from 'node:fs';

/** [min, max]: a value is drawn uniformly per image. */
export type Range = [number, number];

/** A simulated camera: exposure, trajectory, response curve, gain, noise, rolling shutter, sharpening, JPEG, white balance. */
export interface CameraConfig {
  name: string;
  /** Exposure time, milliseconds (drawn per image). */
  exposureMs: Range;
  /** Sub-frames rendered and averaged over the exposure (more: smoother blur). */
  subframes: number;
  trajectory: {
    /** linear: constant velocity; smooth: low-frequency curved motion; shake: hand tremor (random walk +
     * jitter); pan: steady yaw with bounce. */
    kind: 'linear' | 'smooth' | 'shake' | 'pan';
    /** Speed of the image centre, pixels per millisecond: path length = speed × exposure. */
    speedPxPerMs: Range;
    /** In-plane rotation over the exposure, degrees (roll). */
    rollDeg: Range;
    /** Focal length in pixels of the pinhole model (perspective of yaw/pitch). */
    focalPx: number;
    /** Share of the motion that is tremor jitter (0–1). */
    jitter: number;
    /** Tremor frequencies, Hz (cycles per exposure = f × exposure). */
    jitterHz: Range;
  };
  /** Camera response: linear scene → stored values. */
  crf: { kind: 'gamma'; gamma: number } | { kind: 'srgb' } | { kind: 'filmic'; gamma: number; contrast: number };
  /** Scene brightness gain before the sensor clips at 1 (> 1: saturated highlights). */
  exposureGain: Range;
  /** Poisson–Gaussian noise in linear light: variance = shot·x + read². */
  noise: { shot: Range; read: Range };
  /** Rolling-shutter readout time, milliseconds: row r starts r/H of it later (0: global shutter). */
  rollingShutterMs: number;
  /** Unsharp-mask amount applied in camera (0: none). */
  sharpen: number;
  /** JPEG quality range, or null for none (video codecs are approximated by low qualities). */
  jpeg: Range | null;
  /** White-balance gains [r, g, b] in linear light. */
  whiteBalance: [number, number, number];
}

/** The simulated cameras: gopro-like (the known one), rsblur-like, phone-like and street-like. */
export const CAMERA_PRESETS = {
  // GoPro: frames of a 240 fps camera averaged over ~30 ms (7–13 frames), smooth hand-held motion.
  'gopro-like': {
    name: 'gopro-like', exposureMs: [25, 45], subframes: 15,
    trajectory: { kind: 'smooth', speedPxPerMs: [0.15, 0.4], rollDeg: [0, 1], focalPx: 400, jitter: 0.05, jitterHz: [2, 4] },
    crf: { kind: 'gamma', gamma: 2.2 }, exposureGain: [1, 1], noise: { shot: [0, 0.0005], read: [0.002, 0.004] },
    rollingShutterMs: 0, sharpen: 0, jpeg: null, whiteBalance: [1, 1, 1],
  },
  // RSBlur: a long real exposure of a hand-held DSLR-like camera: tremor, saturated lights, noise.
  'rsblur-like': {
    name: 'rsblur-like', exposureMs: [80, 160], subframes: 31,
    trajectory: { kind: 'shake', speedPxPerMs: [0.07, 0.14], rollDeg: [0, 2], focalPx: 500, jitter: 0.35, jitterHz: [6, 12] },
    crf: { kind: 'srgb' }, exposureGain: [1.2, 2.0], noise: { shot: [0.004, 0.012], read: [0.004, 0.01] },
    rollingShutterMs: 0, sharpen: 0, jpeg: null, whiteBalance: [1.05, 1, 0.93],
  },
  // A phone: fast tremor, rolling-shutter readout, tone curve, sharpening, JPEG.
  'phone-like': {
    name: 'phone-like', exposureMs: [30, 60], subframes: 25,
    trajectory: { kind: 'shake', speedPxPerMs: [0.12, 0.26], rollDeg: [0, 3], focalPx: 300, jitter: 0.6, jitterHz: [8, 14] },
    crf: { kind: 'filmic', gamma: 2.2, contrast: 1.3 }, exposureGain: [1, 1.4], noise: { shot: [0.002, 0.006], read: [0.002, 0.006] },
    rollingShutterMs: 15, sharpen: 0.8, jpeg: [70, 90], whiteBalance: [1, 1, 1],
  },
  // A street/vehicle camera (RB2V-like): horizontal pans with bounce, rolling shutter, codec artefacts.
  'street-like': {
    name: 'street-like', exposureMs: [30, 50], subframes: 21,
    trajectory: { kind: 'pan', speedPxPerMs: [0.2, 0.44], rollDeg: [0, 0.5], focalPx: 600, jitter: 0.15, jitterHz: [3, 6] },
    crf: { kind: 'gamma', gamma: 2.4 }, exposureGain: [0.9, 1.3], noise: { shot: [0.001, 0.003], read: [0.002, 0.005] },
    rollingShutterMs: 6, sharpen: 0.3, jpeg: [35, 60], whiteBalance: [0.97, 1, 1.04],
  },
} as const satisfies Record<string, CameraConfig>;
export type CameraPreset = keyof typeof CAMERA_PRESETS;

export function isCameraPreset(s: string): s is CameraPreset {
  return Object.hasOwn(CAMERA_PRESETS, s);
}

// ---- validation ---------------------------------------------------------------------------------
type Check = (v: unknown, at: string) => void;

class ConfigError extends Error {}

const num = (lo: number, hi: number, int = false): Check => (v, at) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || (int && !Number.isInteger(v)) || v < lo || v > hi) {
    throw new ConfigError(`${at} must be ${int ? 'an integer' : 'a number'} in [${lo}, ${hi}], got ${JSON.stringify(v)}`);
  }
};
const range = (lo: number, hi: number): Check => (v, at) => {
  if (!Array.isArray(v) || v.length !== 2) throw new ConfigError(`${at} must be [min, max], got ${JSON.stringify(v)}`);
  num(lo, hi)(v[0], `${at}[0]`);
  num(lo, hi)(v[1], `${at}[1]`);
  if ((v[0] as number) > (v[1] as number)) throw new ConfigError(`${at}: min ${v[0]} is above max ${v[1]}`);
};
const oneOf = (...xs: string[]): Check => (v, at) => {
  if (typeof v !== 'string' || !xs.includes(v)) throw new ConfigError(`${at} must be one of ${xs.join(', ')}, got ${JSON.stringify(v)}`);
};
const str: Check = (v, at) => {
  if (typeof v !== 'string' || v === '') throw new ConfigError(`${at} must be a non-empty string`);
};
const obj = (fields: Record<string, Check>): Check => (v, at) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(`${at} must be an object`);
  for (const k of Object.keys(v)) if (!Object.hasOwn(fields, k)) throw new ConfigError(`${at}: unknown key '${k}' (known: ${Object.keys(fields).join(', ')})`);
  for (const [k, check] of Object.entries(fields)) {
    if (!Object.hasOwn(v, k)) throw new ConfigError(`${at}: missing key '${k}'`);
    check((v as Record<string, unknown>)[k], `${at}.${k}`);
  }
};
const crfCheck: Check = (v, at) => {
  const kind = (v as { kind?: unknown } | null)?.kind;
  if (kind === 'gamma') obj({ kind: str, gamma: num(1, 4) })(v, at);
  else if (kind === 'srgb') obj({ kind: str })(v, at);
  else if (kind === 'filmic') obj({ kind: str, gamma: num(1, 4), contrast: num(0.5, 3) })(v, at);
  else throw new ConfigError(`${at}.kind must be one of gamma, srgb, filmic, got ${JSON.stringify(kind)}`);
};

const CONFIG_CHECK = obj({
  name: str,
  exposureMs: range(0.01, 10000),
  subframes: num(1, 256, true),
  trajectory: obj({
    kind: oneOf('linear', 'smooth', 'shake', 'pan'), speedPxPerMs: range(0, 100), rollDeg: range(0, 45), focalPx: num(50, 10000),
    jitter: num(0, 1), jitterHz: range(0, 100),
  }),
  crf: crfCheck,
  exposureGain: range(0.1, 10),
  noise: obj({ shot: range(0, 0.5), read: range(0, 0.5) }),
  rollingShutterMs: num(0, 1000),
  sharpen: num(0, 5),
  jpeg: (v, at) => (v === null ? undefined : range(1, 100)(v, at)),
  whiteBalance: (v, at) => {
    if (!Array.isArray(v) || v.length !== 3) throw new ConfigError(`${at} must be [r, g, b]`);
    v.forEach((x, i) => num(0.2, 5)(x, `${at}[${i}]`));
  },
});

/** Validates a parsed config; `source` names the file in errors. */
export function validateCamera(v: unknown, source = 'camera config'): CameraConfig {
  try {
    CONFIG_CHECK(v, 'camera');
  } catch (e) {
    if (e instanceof ConfigError) throw new Error(`${source}: ${e.message}`);
    throw e;
  }
  return v as CameraConfig;
}

/** A preset name or a JSON file path → a validated camera. */
export function loadCamera(spec: string): CameraConfig {
  if (isCameraPreset(spec)) return structuredClone(CAMERA_PRESETS[spec]) as CameraConfig;
  let text: string;
  try {
    text = readFileSync(spec, 'utf8');
  } catch {
    throw new Error(`${spec}: not a camera preset (${Object.keys(CAMERA_PRESETS).join(', ')}) and not a readable file`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`${spec}: invalid JSON (${(e as Error).message})`);
  }
  return validateCamera(parsed, spec);
}

/** The longest blur path (pixels) a camera can draw: room the renderer needs around each crop. */
export function maxPathPx(cam: CameraConfig): number {
  return cam.trajectory.speedPxPerMs[1] * cam.exposureMs[1];
}
