// File helpers shared by the weight readers.
import * as fs from 'node:fs';

/** Opens a file for reading; the error names the file and the system's reason. */
export function openForReading(file: string): number {
  try {
    return fs.openSync(file, 'r');
  } catch (err) {
    throw new Error(`${file}: cannot open (${(err as Error).message})`);
  }
}
