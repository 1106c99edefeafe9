// What the viewer page shows, as data: sets of images (one per camera or folder group), each seen through
// columns (the input, one or more methods, the ground truth), with per-image scores and error maps.
// Written into the page as JSON; file paths are relative to the page, so it works from file:// or any server.

/** A column's role: the degraded input, a restoration method, or the ground truth. */
export type ColumnRole = 'input' | 'method' | 'gt';

export interface ViewColumn {
  /** Short id (folder name), unique in its set. */
  id: string;
  /** What the page calls it. */
  label: string;
  role: ColumnRole;
}

/** Scores of one image in one column: PSNR/SSIM against the ground truth, or NIQE without one. */
export interface CellScore {
  psnr?: number;
  ssim?: number;
  niqe?: number;
}

export interface ViewImage {
  /** The matching key (file name without extension or role prefix). */
  name: string;
  width: number;
  height: number;
  /** Column id → image path relative to the page (absent where that column lacks the image). */
  files: Record<string, string>;
  /** Column id → absolute-error map relative to the page (only with a ground truth; not for the gt column). */
  errors: Record<string, string>;
  /** Column id → scores (not for the gt column). */
  scores: Record<string, CellScore>;
}

export interface ViewSet {
  name: string;
  columns: ViewColumn[];
  images: ViewImage[];
  /** Whether scores are PSNR/SSIM against a ground truth (else NIQE). */
  referenced: boolean;
}

export interface ViewManifest {
  title: string;
  sets: ViewSet[];
  /** How the scores and error maps were computed, in one line. */
  conventions: string;
  /** Error maps show |restored − truth| averaged over RGB, times this gain, in a black-red-yellow-white scale. */
  errorGain: number;
}
