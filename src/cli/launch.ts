// `--nproc N`: N local workers of the same command, each told its place in the group by the variables
// torchrun and cluster schedulers use (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT). The
// workers share the machine's cores (B2B_THREADS each); the first to fail stops the others.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { coreCount } from '../tensor/index.js';

/** A TCP port free on the loopback interface now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The command line without its --nproc flag (--nproc N or --nproc=N). */
export function withoutNproc(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--nproc') i++;
    else if (!argv[i]!.startsWith('--nproc=')) out.push(argv[i]!);
  }
  return out;
}

/** Runs `argv` (this CLI's arguments) as `n` workers on this machine; resolves to the exit code. */
export async function launch(n: number, argv: readonly string[]): Promise<number> {
  const port = await freePort();
  const threads = String(Math.max(1, Math.floor(coreCount() / n)));
  const children: ChildProcess[] = [];
  const exits = Array.from({ length: n }, (_, rank) => {
    const child = spawn(process.execPath, [process.argv[1]!, ...withoutNproc(argv)], {
      stdio: 'inherit',
      env: {
        ...process.env,
        RANK: String(rank),
        LOCAL_RANK: String(rank),
        WORLD_SIZE: String(n),
        MASTER_ADDR: '127.0.0.1',
        MASTER_PORT: String(port),
        B2B_THREADS: process.env.B2B_THREADS ?? threads,
      },
    });
    children.push(child);
    return new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  });
  const forward = (sig: NodeJS.Signals): void => {
    for (const c of children) c.kill(sig);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    // The first worker to fail stops the rest (they would wait for it at their next collective).
    const codes = await Promise.all(
      exits.map((p) =>
        p.then((code) => {
          if (code !== 0) for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
          return code;
        }),
      ),
    );
    return codes.find((c) => c !== 0) ?? 0;
  } finally {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  }
}
