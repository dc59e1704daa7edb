// An HTTP front for the machine's local PyPI mirror (the file:// indexes pipMirrorEnv() finds).
//
// Why: pip never caches what it reads from a file:// index, so with the mirror used directly the
// setup-python strategy (restore pip's download cache, then `pip install`) would restore an empty cache
// and be no different from a cold install. Served over HTTP with PyPI's cache headers (files immutable,
// index pages short-lived) and the host marked trusted (pip only caches on secure or trusted origins),
// pip fills and reuses its cache as it does against pypi.org. The indexes stay the same files, so pip
// still never reaches the internet.
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Rewrites the file:// indexes of `pipEnv` to an HTTP server on 127.0.0.1; `{env, stop}`. */
export async function startPipMirror(pipEnv) {
  const indexes = [pipEnv.PIP_INDEX_URL, ...(pipEnv.PIP_EXTRA_INDEX_URL ?? '').split(/\s+/)].filter(Boolean);
  const roots = [];
  const mapped = new Map();
  for (const url of indexes) {
    if (!url.startsWith('file:')) continue;
    // Index pages link to files as ../../files/x.whl: serve the folder above `simple/`.
    const simple = fileURLToPath(url).replace(/\/+$/, '');
    roots.push(dirname(simple));
    mapped.set(url, { mount: `/m${roots.length - 1}`, rest: simple.slice(dirname(simple).length) });
  }
  if (roots.length === 0) return { env: { ...pipEnv }, stop: async () => {}, served: [] };

  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const match = /^\/m(\d+)(\/.*)?$/.exec(path);
    const root = match ? roots[Number(match[1])] : undefined;
    let file = root ? normalize(join(root, match[2] ?? '/')) : undefined;
    try {
      if (!root || !file || (file !== root && !file.startsWith(root + sep))) throw new Error('outside');
      let stat = statSync(file);
      if (stat.isDirectory()) {
        file = join(file, 'index.html');
        stat = statSync(file);
      }
      const page = file.endsWith('.html');
      res.writeHead(200, {
        'content-type': page ? 'text/html' : 'application/octet-stream',
        'content-length': stat.size,
        'cache-control': page ? 'max-age=600, public' : 'max-age=365000000, immutable, public'
      });
      if (req.method === 'HEAD') res.end();
      else createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404, { 'content-length': 0 });
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${server.address().port}`;
  const http = (url) => (mapped.has(url) ? `http://${host}${mapped.get(url).mount}${mapped.get(url).rest}` : url);
  const env = {
    ...pipEnv,
    PIP_INDEX_URL: http(pipEnv.PIP_INDEX_URL),
    PIP_EXTRA_INDEX_URL: (pipEnv.PIP_EXTRA_INDEX_URL ?? '').split(/\s+/).filter(Boolean).map(http).join(' '),
    PIP_TRUSTED_HOST: host
  };
  return {
    env,
    served: roots,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  };
}
