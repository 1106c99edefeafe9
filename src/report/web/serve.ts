// A static file server for a folder written by b2b web (GET and HEAD only, nothing outside the folder).
// Browsers run onnxruntime-web's WebAssembly only from http(s) pages, and use several threads only on a
// cross-origin-isolated page, which needs the COOP/COEP headers this server sends (a plain static server
// such as python3 -m http.server does not, and the page then runs on one thread).
import { createServer, type IncomingMessage } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.onnx': 'application/octet-stream',
};

/** The headers that make a page cross-origin isolated (SharedArrayBuffer, so WebAssembly threads). */
export const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
} as const;

export interface ServeOptions {
  /** Default 127.0.0.1 (this machine only). */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Send the isolation headers (default true), or decide per request. */
  isolated?: boolean | ((req: IncomingMessage) => boolean);
}

export interface StaticServer {
  /** http://host:port/ */
  url: string;
  close(): Promise<void>;
}

/** The file under `root` a request path names, or null when it would leave `root`. */
export function fileFor(root: string, urlPath: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  const base = resolve(root);
  const file = resolve(join(base, path.endsWith('/') ? `${path}index.html` : path));
  return file === base || file.startsWith(base + sep) ? file : null;
}

/** Serves `root` until closed. */
export async function serveStatic(root: string, o: ServeOptions = {}): Promise<StaticServer> {
  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      const isolated = typeof o.isolated === 'function' ? o.isolated(req) : (o.isolated ?? true);
      const file = fileFor(root, new URL(req.url ?? '/', 'http://x').pathname);
      try {
        if (!file || !(await stat(file)).isFile()) throw new Error('not a file');
        const body = await readFile(file);
        res.writeHead(200, {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'content-length': body.length,
          'cache-control': 'no-cache',
          ...(isolated ? ISOLATION_HEADERS : {}),
        });
        res.end(req.method === 'HEAD' ? undefined : body);
      } catch {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      }
    })();
  });
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(o.port ?? 0, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}
