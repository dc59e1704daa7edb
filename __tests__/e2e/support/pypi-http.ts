/**
 * The machine's local PyPI mirror (a `file://` simple index, see python.ts) served over HTTP on
 * 127.0.0.1. pip keeps no download cache for a file:// index; over HTTP it fills PIP_CACHE_DIR as
 * it does from pypi.org, so a run has a package download cache to save (or, untrusted, not to).
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipMirrorEnv } from './python.js';

export interface PypiHttpMirror {
  /** Variables that make pip install from this server only. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Serves the folder holding the mirror's `simple/` index; undefined on a machine without a file:// mirror. */
export async function startPypiHttpMirror(): Promise<PypiHttpMirror | undefined> {
  const index = pipMirrorEnv()['PIP_INDEX_URL'];
  if (!index?.startsWith('file:')) return undefined;
  const simple = fileURLToPath(index);
  const root = path.dirname(simple.replace(/\/+$/, ''));
  const server = createServer((req, res) => {
    const wanted = path.join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = wanted.startsWith(root) ? [wanted, path.join(wanted, 'index.html')].find(isFile) : undefined;
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    const page = file.endsWith('.html');
    // As pypi.org answers: without a cache lifetime pip's HTTP cache keeps nothing.
    res.writeHead(200, {
      'content-type': page ? 'text/html' : 'application/octet-stream',
      'content-length': statSync(file).size,
      'cache-control': page ? 'max-age=600, public' : 'max-age=365000000, immutable, public'
    });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/${path.basename(simple)}/`;
  return {
    // No config file: its extra file:// indexes would be preferred (pip takes a local file first).
    // pip caches plain-HTTP answers only from a trusted host.
    env: { PIP_CONFIG_FILE: '/dev/null', PIP_INDEX_URL: url, PIP_TRUSTED_HOST: '127.0.0.1', PIP_DISABLE_PIP_VERSION_CHECK: '1' },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
