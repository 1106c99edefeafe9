// The PyTorch side of a benchmark: one long-lived Debian python3 process (scripts/reference/serve.py
// protocol: a JSON command per line in, a JSON reply per line out), driven in turn with blur2blur.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface ReferenceProcess {
  /** Sends one command and waits for its reply. */
  run<T>(msg: Record<string, unknown>): Promise<T>;
  quit(): void;
  kill(): void;
}

/**
 * Starts bench/<name>/reference.py with the given thread count (and more arguments, e.g. a device).
 * Debian's python3 by default; B2B_PYTHON names another (a pip-installed CUDA PyTorch's).
 */
export function startReference(name: string, threads: number, ...args: string[]): ReferenceProcess {
  const script = fileURLToPath(new URL(`../../../bench/${name}/reference.py`, import.meta.url));
  // torch.set_num_threads does not reach OpenBLAS's own pool (behind Debian's libblas.so.3): give it the
  // same thread count, as the blur2blur addon does, so that both sides compute on the same cores.
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads) };
  const py = spawn(process.env.B2B_PYTHON ?? '/usr/bin/python3', [script, String(threads), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env,
  });
  const lines = createInterface({ input: py.stdout })[Symbol.asyncIterator]();
  return {
    async run<T>(msg: Record<string, unknown>): Promise<T> {
      py.stdin.write(JSON.stringify({ cmd: 'run', ...msg }) + '\n');
      const { value, done } = await lines.next();
      if (done) throw new Error('the PyTorch reference process ended early (is python3-torch installed? run npm run setup)');
      return JSON.parse(value as string) as T;
    },
    quit(): void {
      py.stdin.write(JSON.stringify({ cmd: 'quit' }) + '\n');
      py.stdin.end();
    },
    kill(): void {
      py.kill();
    },
  };
}
