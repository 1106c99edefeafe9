// The static server of b2b web serve: files of the folder with their types and the isolation headers,
// HEAD without a body, nothing outside the folder (encoded or not), 404 and 405 where due.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { fileFor, serveStatic } from '../../../src/report/web/serve.js';

/** A raw request (fetch would normalise the path before sending it). */
function raw(url: string, path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((ok, fail) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path, method }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => ok({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

test('serves the folder with types and isolation headers, and nothing outside it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'b2b-serve-'));
  try {
    const site = join(dir, 'site');
    mkdirSync(join(site, 'models'), { recursive: true });
    writeFileSync(join(site, 'index.html'), '<p>page</p>');
    writeFileSync(join(site, 'models', 'm.onnx'), 'model');
    writeFileSync(join(dir, 'secret.txt'), 'secret');
    const s = await serveStatic(site);
    try {
      const page = await raw(s.url, '/');
      assert.equal(page.status, 200);
      assert.equal(page.body, '<p>page</p>');
      assert.match(String(page.headers['content-type']), /text\/html/);
      assert.equal(page.headers['cross-origin-opener-policy'], 'same-origin');
      assert.equal(page.headers['cross-origin-embedder-policy'], 'require-corp');
      const model = await raw(s.url, '/models/m.onnx');
      assert.equal(model.headers['content-type'], 'application/octet-stream');
      assert.equal(model.body, 'model');
      const head = await raw(s.url, '/models/m.onnx', 'HEAD');
      assert.equal(head.status, 200);
      assert.equal(head.headers['content-length'], '5');
      assert.equal(head.body, '');
      for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/models/..%2f..%2fsecret.txt', '/nothing.html', '/models', '/%zz'])
        assert.equal((await raw(s.url, path)).status, 404, path);
      assert.equal((await raw(s.url, '/', 'POST')).status, 405);
    } finally {
      await s.close();
    }
    const plain = await serveStatic(site, { isolated: false });
    try {
      assert.equal((await raw(plain.url, '/')).headers['cross-origin-opener-policy'], undefined);
    } finally {
      await plain.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fileFor keeps every path inside the root', () => {
  assert.equal(fileFor('/srv/site', '/'), '/srv/site/index.html');
  assert.equal(fileFor('/srv/site', '/ort/a.wasm'), '/srv/site/ort/a.wasm');
  assert.equal(fileFor('/srv/site', '/a%20b.png'), '/srv/site/a b.png');
  for (const p of ['/..', '/../site2/x', '/%2e%2e/x', '/a/%2e%2e/%2e%2e/x', '/%00', '/%e0%a4%a'])
    assert.equal(fileFor('/srv/site', p), null, p);
});
