/**
 * A dependency-free fake of GitHub's cache service v2 that the REAL `@actions/cache` 6 accepts.
 *
 * Two halves live on one 127.0.0.1 HTTP server:
 *
 * 1. Twirp JSON RPCs (what `internal/shared/cacheTwirpClient.js` calls):
 *      POST /twirp/github.actions.results.api.v1.CacheService/GetCacheEntryDownloadURL
 *      POST /twirp/github.actions.results.api.v1.CacheService/CreateCacheEntry
 *      POST /twirp/github.actions.results.api.v1.CacheService/FinalizeCacheEntryUpload
 *    Bodies are protobuf-JSON with proto field names (snake_case: `restore_keys`, `size_bytes`,
 *    `signed_upload_url`, ...) and int64 values as strings (`entry_id: "3"`). Errors are Twirp error
 *    objects `{ "code": "...", "msg": "..." }`: the client JSON.parse()s every body, and a body that
 *    is not JSON counts as a retryable failure.
 *
 * 2. The blob side behind the signed URLs, which `@azure/storage-blob` (upload) and
 *    `@actions/http-client` (download) talk to:
 *      PUT  /<account>/<container>/<blob>?<sas>                      Put Blob (x-ms-blob-type: BlockBlob)
 *      PUT  /<account>/<container>/<blob>?<sas>&comp=block&blockid=  Put Block
 *      PUT  /<account>/<container>/<blob>?<sas>&comp=blocklist       Put Block List (XML body)
 *      GET|HEAD /<account>/<container>/<blob>?<sas>                  download (Range supported)
 *    The Azure SDK only accepts an IP host when the path is "path style" (account first), hence the
 *    account segment. Uploads of at most 128 MiB are one Put Blob; bigger ones are 64 MiB blocks
 *    (`uploadCacheArchiveSDK` hard-codes maxSingleShotSize = 128 MiB, `saveCacheV2` blockSize = 64 MiB).
 *
 * Lookup semantics follow GitHub's documentation ("Cache key matching"): an exact match of `key`,
 * else the newest entry whose key starts with `key`, else each restore key in order as a prefix
 * (newest wins). The `version` (a hash of the cache paths + compression method) must match in every
 * case. Only finalized entries are visible. Scopes (branch / default branch) are not modelled.
 *
 * Creating a key+version that already exists (finalized or reserved) answers, like github.com,
 * HTTP 409 Twirp `already_exists` (observed in the wild as "Failed request: (409) Conflict: cache entry
 * with the same key, version, and scope already exists"); `existingKey: 'not-ok'` answers 200
 * `{ok: false, message}` instead. Either way `saveCache` resolves to -1 without throwing.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

export const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.CacheService/';

export type CacheRpc = 'GetCacheEntryDownloadURL' | 'CreateCacheEntry' | 'FinalizeCacheEntryUpload';

/**
 * Ways the fake can misbehave. How `@actions/cache` 6 reacts (measured, see cache-service.test.ts):
 * - `http500`: Twirp calls answer 500 with a JSON Twirp error. 500 is RETRYABLE for the Twirp client
 *   (like 502/503/504): 5 attempts with 3 s, ~4.5-6.75 s, ~6.75-10 s, ~10-15 s sleeps = ~25-35 s
 *   per call, whatever the body. Fast only with fake timers (in-process).
 * - `http429`: Twirp 429 + Retry-After; the client never retries a rate limit (fails at once).
 * - `reset`: Twirp requests get their socket destroyed (ECONNRESET): NetworkError, no retry, fast.
 * - `unauthenticated`: Twirp 401 (as with a wrong token): non-retryable, fast.
 * - `read-denied`: GetCacheEntryDownloadURL answers 403 `cache read denied: ...` (read-only policy).
 * - `write-denied`: CreateCacheEntry answers 200 `{ok:false, message:"cache write denied: ..."}`,
 *   what the service does for a read-only token (e.g. untrusted pull requests).
 * - `blob500`: the Twirp side works but blob GET/PUT answer 500 (Azure XML error). A download fails
 *   at once (http-client only retries 502/503/504); the Azure SDK retries uploads with backoff.
 * - `blob-truncated`: a blob GET announces the whole length, sends the first half and drops the
 *   connection (a download that breaks off mid-way).
 * - `slow`: Twirp calls are answered correctly, but only after `slowAnswerMs` (a sick service).
 * - `blob-redirect`: a blob GET answers 307 to the same blob (as storage behind a CDN may): a
 *   client that follows redirects gets it, one that does not sees a 3xx.
 */
export type FailureMode =
  'none' | 'http500' | 'http429' | 'reset' | 'unauthenticated' | 'read-denied' | 'write-denied' | 'blob500' | 'blob-truncated' | 'blob-redirect' | 'slow';

export interface CacheServiceOptions {
  /** Bearer token the Twirp side requires (ACTIONS_RUNTIME_TOKEN). Default: random. */
  token?: string;
  /** Where blobs are stored; default: a new temp dir, removed by stop(). */
  storageDir?: string;
  /** How CreateCacheEntry answers for a key+version that exists: 'conflict' (409, default) or 'not-ok'. */
  existingKey?: 'conflict' | 'not-ok';
  /** Initial failure mode (default 'none'). */
  failureMode?: FailureMode;
  /** How long the `slow` mode waits before each Twirp answer (default 20 s). */
  slowAnswerMs?: number;
  /**
   * The host name in its URLs (ACTIONS_RESULTS_URL and the signed blob URLs), e.g. `cache.test`
   * for a service reachable only through a proxy that resolves it. Default: 127.0.0.1.
   */
  host?: string;
}

export interface CacheEntryInfo {
  id: number;
  key: string;
  version: string;
  /** Bytes of the stored archive (0 until uploaded). */
  size: number;
  /** Monotonic creation order; higher is newer. */
  seq: number;
  finalized: boolean;
}

export interface RecordedRequest {
  method: string;
  /** URL path without the query string, e.g. `/twirp/.../CreateCacheEntry` or `/acct/cont/3`. */
  path: string;
  /** `rpc` name for Twirp calls; `comp` (block, blocklist) or 'blob' for blob calls. */
  kind: CacheRpc | 'blob' | 'block' | 'blocklist' | 'unknown';
  status: number;
}

export interface CacheService {
  /** Base URL for ACTIONS_RESULTS_URL (with trailing slash, like the runner's). */
  readonly url: string;
  readonly token: string;
  /** The env vars a runner would set so @actions/cache uses this service. */
  env(): Record<string, string>;
  /** Entries (finalized only unless `all`), oldest first. */
  entries(all?: boolean): CacheEntryInfo[];
  /** Reads back the stored archive of a finalized entry. */
  archive(key: string, version?: string): Promise<Buffer>;
  /** Replaces the stored archive of a finalized entry (e.g. with bytes that are no archive). */
  replaceArchive(key: string, content: Buffer): Promise<void>;
  /** Makes the service misbehave; `only` restricts the Twirp failure to some RPCs. */
  setFailureMode(mode: FailureMode, only?: CacheRpc[]): void;
  /** Every request answered so far (mutable: tests may `requests.length = 0`). */
  readonly requests: RecordedRequest[];
  /** Removes every entry. */
  clear(): void;
  /** Drops the newest finalized entry under `key` (its archive too), as an eviction would; false when there is none. */
  remove(key: string): Promise<boolean>;
  stop(): Promise<void>;
}

const ACCOUNT = 'devstoreaccount1';
const CONTAINER = 'actions-cache';
const AZURE_VERSION = '2025-05-05';
/** The toolkit's client never uploads more than this per entry on github.com (10 GiB repo limit). */
const MAX_BLOCKS = 50_000;

interface Entry extends CacheEntryInfo {
  blob: string;
  uploadSig: string;
  downloadSig: string;
  etag: string;
  lastModified: string;
  md5?: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {}
  ) {
    super(message);
  }
}

export async function startCacheService(options: CacheServiceOptions = {}): Promise<CacheService> {
  const token = options.token ?? `fake-runtime-token-${randomBytes(8).toString('hex')}`;
  const ownsStorage = options.storageDir === undefined;
  const storage = options.storageDir ?? (await fsp.mkdtemp(path.join(tmpdir(), 'slipway-cache-svc-')));
  await fsp.mkdir(path.join(storage, 'blobs'), { recursive: true });
  await fsp.mkdir(path.join(storage, 'blocks'), { recursive: true });
  const existingKey = options.existingKey ?? 'conflict';

  let failure: FailureMode = options.failureMode ?? 'none';
  let failureRpcs: CacheRpc[] | undefined;
  let nextId = 1;
  let seq = 0;
  const entries = new Map<number, Entry>();
  const requests: RecordedRequest[] = [];
  let baseUrl = '';

  const blobFile = (blob: string): string => path.join(storage, 'blobs', blob);
  const blockDir = (blob: string): string => path.join(storage, 'blocks', blob);

  const signedUrl = (e: Entry, sig: string, perms: string): string => {
    // Shaped like a real SAS URL; `sig` is what @actions/cache masks in logs (::add-mask::).
    const expiry = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const q = new URLSearchParams({ sv: AZURE_VERSION, sr: 'b', sp: perms, se: expiry, sig });
    return `${baseUrl}${ACCOUNT}/${CONTAINER}/${e.blob}?${q.toString()}`;
  };

  const finalized = (key: string, version?: string): Entry => {
    const hit = newest([...entries.values()].filter((e) => e.finalized && e.key === key && (!version || e.version === version)));
    if (!hit) throw new Error(`no finalized cache entry for key ${key}`);
    return hit;
  };

  const find = (key: string, version: string, restoreKeys: string[]): Entry | undefined => {
    const visible = [...entries.values()].filter((e) => e.finalized && e.version === version);
    const exact = visible.filter((e) => e.key === key);
    if (exact.length) return newest(exact);
    for (const prefix of [key, ...restoreKeys]) {
      const matches = visible.filter((e) => e.key.startsWith(prefix));
      if (matches.length) return newest(matches);
    }
    return undefined;
  };

  // ---------------------------------------------------------------- Twirp side

  const rpcHandlers: Record<CacheRpc, (body: Record<string, unknown>) => Promise<unknown> | unknown> = {
    GetCacheEntryDownloadURL(body) {
      const key = str(body, 'key');
      const version = str(body, 'version');
      const restoreKeys = strList(body, 'restore_keys', 'restoreKeys');
      if (!key || !version) throw new HttpError(400, 'invalid_argument', 'key and version are required');
      const hit = find(key, version, restoreKeys);
      // proto3 JSON: the Go service leaves defaults out; the client's fromJson fills them in.
      if (!hit) return { ok: false, signed_download_url: '', matched_key: '' };
      return { ok: true, signed_download_url: signedUrl(hit, hit.downloadSig, 'r'), matched_key: hit.key };
    },
    CreateCacheEntry(body) {
      const key = str(body, 'key');
      const version = str(body, 'version');
      if (!key || !version) throw new HttpError(400, 'invalid_argument', 'key and version are required');
      const exists = [...entries.values()].some((e) => e.key === key && e.version === version);
      if (exists) {
        if (existingKey === 'not-ok') {
          return { ok: false, signed_upload_url: '', message: `cache entry with key ${key} already exists` };
        }
        throw new HttpError(409, 'already_exists', 'cache entry with the same key, version, and scope already exists');
      }
      const id = nextId++;
      const entry: Entry = {
        id,
        key,
        version,
        size: 0,
        seq: ++seq,
        finalized: false,
        blob: `${id}-${createHash('sha1').update(`${key}\0${version}`).digest('hex').slice(0, 16)}`,
        uploadSig: randomBytes(16).toString('base64'),
        downloadSig: randomBytes(16).toString('base64'),
        etag: '',
        lastModified: ''
      };
      entries.set(id, entry);
      return { ok: true, signed_upload_url: signedUrl(entry, entry.uploadSig, 'cw') };
    },
    async FinalizeCacheEntryUpload(body) {
      const key = str(body, 'key');
      const version = str(body, 'version');
      // int64 arrives as a JSON string ("123"); accept a number too, as protobuf JSON parsers do.
      const sizeBytes = Number(body['size_bytes'] ?? body['sizeBytes'] ?? 0);
      const entry = [...entries.values()].find((e) => e.key === key && e.version === version && !e.finalized);
      if (!entry) return { ok: false, entry_id: '0', message: `no cache entry reserved for key ${key}` };
      const stat = await fsp.stat(blobFile(entry.blob)).catch(() => undefined);
      if (!stat) return { ok: false, entry_id: '0', message: `no blob was uploaded for key ${key}` };
      if (stat.size !== sizeBytes) {
        return { ok: false, entry_id: '0', message: `size mismatch: uploaded ${stat.size} B, finalize says ${sizeBytes} B` };
      }
      entry.size = stat.size;
      entry.finalized = true;
      entry.seq = ++seq; // "newest" = most recently created, which is when it becomes visible
      return { ok: true, entry_id: String(entry.id) };
    }
  };

  async function handleTwirp(req: IncomingMessage, res: ServerResponse, rpc: string): Promise<number> {
    const known = Object.prototype.hasOwnProperty.call(rpcHandlers, rpc);
    const failing =
      failure !== 'none' &&
      failure !== 'blob500' &&
      failure !== 'blob-truncated' &&
      failure !== 'blob-redirect' &&
      (!failureRpcs || failureRpcs.includes(rpc as CacheRpc));
    if (failing && failure === 'reset') {
      req.socket.destroy();
      return 0;
    }
    const body = await readAll(req);
    if (failing && failure === 'slow') await new Promise((resolve) => setTimeout(resolve, options.slowAnswerMs ?? 20_000).unref());
    if (req.method !== 'POST' || !known) {
      return twirpError(res, new HttpError(404, 'bad_route', `no handler for ${req.method} ${req.url}`));
    }
    // Twirp routes on the content type too: the JSON client must say application/json.
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return twirpError(res, new HttpError(404, 'bad_route', `unexpected Content-Type: ${req.headers['content-type']}`));
    }
    if (req.headers.authorization !== `Bearer ${token}` || (failing && failure === 'unauthenticated')) {
      return twirpError(res, new HttpError(401, 'unauthenticated', 'invalid or missing runtime token'));
    }
    if (failing && failure === 'http500') {
      return twirpError(res, new HttpError(500, 'internal', 'simulated cache service failure'));
    }
    if (failing && failure === 'http429') {
      return twirpError(res, new HttpError(429, 'resource_exhausted', 'simulated rate limit', { 'retry-after': '60' }));
    }
    if (failing && failure === 'read-denied' && rpc === 'GetCacheEntryDownloadURL') {
      return twirpError(res, new HttpError(403, 'permission_denied', 'cache read denied: token has no readable scopes'));
    }
    if (failing && failure === 'write-denied' && rpc === 'CreateCacheEntry') {
      return json(res, 200, { ok: false, signed_upload_url: '', message: 'cache write denied: token has no writable scopes' });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8') || '{}');
    } catch {
      return twirpError(res, new HttpError(400, 'malformed', 'request body is not JSON'));
    }
    if (typeof parsed !== 'object' || parsed === null) {
      return twirpError(res, new HttpError(400, 'malformed', 'request body is not a JSON object'));
    }
    try {
      return json(res, 200, await rpcHandlers[rpc as CacheRpc](parsed as Record<string, unknown>));
    } catch (err) {
      if (err instanceof HttpError) return twirpError(res, err);
      return twirpError(res, new HttpError(500, 'internal', String(err)));
    }
  }

  // ---------------------------------------------------------------- blob side

  /** Resolves `/<account>/<container>/<blob>?sig=` to an entry, checking the SAS signature. */
  function blobTarget(url: URL, write: boolean): Entry {
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts.length !== 3 || parts[0] !== ACCOUNT || parts[1] !== CONTAINER) {
      throw new HttpError(400, 'InvalidUri', `not a blob path: ${url.pathname}`);
    }
    const entry = [...entries.values()].find((e) => e.blob === parts[2]);
    const sig = url.searchParams.get('sig');
    if (!entry || !sig) throw new HttpError(403, 'AuthenticationFailed', 'Server failed to authenticate the request.');
    if (write ? sig !== entry.uploadSig : sig !== entry.downloadSig && sig !== entry.uploadSig) {
      throw new HttpError(403, 'AuthenticationFailed', 'Signature did not match.');
    }
    if (write && entry.finalized) {
      throw new HttpError(409, 'BlobImmutableDueToPolicy', 'This operation is not permitted as the blob is immutable.');
    }
    return entry;
  }

  async function handleBlob(req: IncomingMessage, res: ServerResponse, url: URL): Promise<number> {
    const method = req.method ?? 'GET';
    const comp = url.searchParams.get('comp');
    if (failure === 'blob500') {
      await readAll(req).catch(() => undefined);
      return azureError(res, new HttpError(500, 'InternalError', 'simulated storage failure'));
    }
    if (failure === 'blob-redirect' && method === 'GET' && !url.searchParams.has('hop')) {
      url.searchParams.set('hop', '1');
      res.writeHead(307, { location: `http://${req.headers.host}${url.pathname}${url.search}` });
      res.end();
      return 307;
    }
    const entry = blobTarget(url, method === 'PUT');
    if (method === 'PUT' && comp === 'block') return putBlock(req, res, url, entry);
    if (method === 'PUT' && comp === 'blocklist') return putBlockList(req, res, entry);
    if (method === 'PUT' && comp === null) return putBlob(req, res, entry);
    if ((method === 'GET' || method === 'HEAD') && comp === null) return getBlob(req, res, entry, method === 'HEAD');
    await readAll(req);
    throw new HttpError(400, 'UnsupportedHttpVerb', `${method} comp=${comp} is not supported by this fake`);
  }

  /** Put Blob: a single-shot upload of the whole archive (<= 128 MiB for @actions/cache). */
  async function putBlob(req: IncomingMessage, res: ServerResponse, entry: Entry): Promise<number> {
    if (req.headers['x-ms-blob-type'] !== 'BlockBlob') {
      await readAll(req);
      throw new HttpError(400, 'InvalidHeaderValue', 'x-ms-blob-type must be BlockBlob');
    }
    const md5 = await streamToFile(req, blobFile(entry.blob));
    checkTransactionalMd5(req, md5);
    committed(entry, md5);
    return azureCreated(res, req, {
      etag: entry.etag,
      'last-modified': entry.lastModified,
      'content-md5': md5,
      'x-ms-request-server-encrypted': 'true'
    });
  }

  /** Put Block: stages one block; its id (base64, URL-encoded in the query) names it. */
  async function putBlock(req: IncomingMessage, res: ServerResponse, url: URL, entry: Entry): Promise<number> {
    const blockId = url.searchParams.get('blockid');
    if (!blockId) {
      await readAll(req);
      throw new HttpError(400, 'InvalidQueryParameterValue', 'blockid is required');
    }
    const dir = blockDir(entry.blob);
    await fsp.mkdir(dir, { recursive: true });
    const md5 = await streamToFile(req, path.join(dir, blockFileName(blockId)));
    checkTransactionalMd5(req, md5);
    return azureCreated(res, req, { 'content-md5': md5, 'x-ms-request-server-encrypted': 'true' });
  }

  /** Put Block List: `<BlockList><Latest>id</Latest>...</BlockList>` concatenated in that order. */
  async function putBlockList(req: IncomingMessage, res: ServerResponse, entry: Entry): Promise<number> {
    const xml = (await readAll(req)).toString('utf8');
    const ids = [...xml.matchAll(/<(Latest|Uncommitted|Committed)>([^<]*)<\/\1>/g)].map((m) => xmlUnescape(m[2] ?? ''));
    if (!/<BlockList>/.test(xml) || ids.length > MAX_BLOCKS) {
      throw new HttpError(400, 'InvalidXmlDocument', 'XML specified is not syntactically valid.');
    }
    const dir = blockDir(entry.blob);
    const hash = createHash('md5');
    const out = createWriteStream(blobFile(entry.blob));
    try {
      for (const id of ids) {
        const file = path.join(dir, blockFileName(id));
        const exists = await fsp.stat(file).catch(() => undefined);
        if (!exists) throw new HttpError(400, 'InvalidBlockList', `The specified block list is invalid (block ${id}).`);
        for await (const chunk of createReadStream(file)) {
          hash.update(chunk as Buffer);
          if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
        }
      }
    } finally {
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    }
    await fsp.rm(dir, { recursive: true, force: true });
    committed(entry, hash.digest('base64'));
    return azureCreated(res, req, {
      etag: entry.etag,
      'last-modified': entry.lastModified,
      'content-md5': entry.md5 ?? '',
      'x-ms-request-server-encrypted': 'true'
    });
  }

  /** Download: what `downloadCacheHttpClient` does (plain GET) and what the Azure SDK would do (HEAD + ranges). */
  async function getBlob(req: IncomingMessage, res: ServerResponse, entry: Entry, head: boolean): Promise<number> {
    await readAll(req);
    const file = blobFile(entry.blob);
    const stat = await fsp.stat(file).catch(() => undefined);
    if (!stat) throw new HttpError(404, 'BlobNotFound', 'The specified blob does not exist.');
    const headers: Record<string, string> = {
      'content-type': 'application/octet-stream',
      'accept-ranges': 'bytes',
      etag: entry.etag,
      'last-modified': entry.lastModified,
      'x-ms-blob-type': 'BlockBlob',
      'x-ms-creation-time': entry.lastModified,
      'x-ms-lease-state': 'available',
      'x-ms-lease-status': 'unlocked',
      'x-ms-server-encrypted': 'true',
      ...msHeaders(req)
    };
    let start = 0;
    let end = stat.size - 1;
    let status = 200;
    const range = (req.headers['x-ms-range'] ?? req.headers.range) as string | undefined;
    const m = range ? /^bytes=(\d+)-(\d*)$/.exec(range) : null;
    if (m) {
      start = Number(m[1]);
      end = m[2] ? Math.min(Number(m[2]), stat.size - 1) : stat.size - 1;
      if (start >= stat.size) throw new HttpError(416, 'InvalidRange', 'The range specified is invalid for the current size of the resource.');
      status = 206;
      headers['content-range'] = `bytes ${start}-${end}/${stat.size}`;
    } else if (entry.md5) {
      headers['content-md5'] = entry.md5;
    }
    headers['content-length'] = String(end - start + 1);
    res.writeHead(status, headers);
    if (head || stat.size === 0) {
      res.end();
    } else if (failure === 'blob-truncated') {
      const half = (await fsp.readFile(file)).subarray(start, start + Math.floor((end - start + 1) / 2));
      await new Promise<void>((flushed) => res.write(half, () => flushed()));
      res.destroy();
    } else {
      await pipeline(createReadStream(file, { start, end }), res);
    }
    return status;
  }

  function committed(entry: Entry, md5: string): void {
    entry.md5 = md5;
    entry.etag = `"0x${randomBytes(8).toString('hex').toUpperCase()}"`;
    entry.lastModified = new Date().toUTCString();
  }

  // ---------------------------------------------------------------- server

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const isTwirp = url.pathname.startsWith(TWIRP_PREFIX);
    const rpc = isTwirp ? url.pathname.slice(TWIRP_PREFIX.length) : '';
    const kind: RecordedRequest['kind'] = isTwirp
      ? ((Object.prototype.hasOwnProperty.call(rpcHandlers, rpc) ? rpc : 'unknown') as RecordedRequest['kind'])
      : url.searchParams.get('comp') === 'block'
        ? 'block'
        : url.searchParams.get('comp') === 'blocklist'
          ? 'blocklist'
          : 'blob';
    const work = isTwirp ? handleTwirp(req, res, rpc) : handleBlob(req, res, url);
    work
      .catch(async (err: unknown) => {
        await readAll(req).catch(() => undefined);
        if (res.headersSent) {
          res.destroy();
          return 500;
        }
        const e = err instanceof HttpError ? err : new HttpError(500, isTwirp ? 'internal' : 'InternalError', String(err));
        return isTwirp ? twirpError(res, e) : azureError(res, e);
      })
      .then((status) => requests.push({ method: req.method ?? '', path: url.pathname, kind, status }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  baseUrl = `http://${options.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}/`;

  return {
    url: baseUrl,
    token,
    env: () => ({
      ACTIONS_CACHE_SERVICE_V2: 'true',
      ACTIONS_RESULTS_URL: baseUrl,
      ACTIONS_RUNTIME_TOKEN: token
    }),
    entries: (all = false) =>
      [...entries.values()]
        .filter((e) => all || e.finalized)
        .sort((a, b) => a.seq - b.seq)
        .map(({ id, key, version, size, seq: s, finalized }) => ({ id, key, version, size, seq: s, finalized })),
    archive: async (key, version) => fsp.readFile(blobFile(finalized(key, version).blob)),
    replaceArchive: async (key, content) => {
      const entry = finalized(key);
      await fsp.writeFile(blobFile(entry.blob), content);
      entry.size = content.length;
      entry.md5 = createHash('md5').update(content).digest('base64');
    },
    setFailureMode: (mode, only) => {
      failure = mode;
      failureRpcs = only;
    },
    requests,
    clear: () => entries.clear(),
    remove: async (key) => {
      const entry = newest([...entries.values()].filter((e) => e.finalized && e.key === key));
      if (!entry) return false;
      entries.delete(entry.id);
      await fsp.rm(blobFile(entry.blob), { force: true });
      return true;
    },
    stop: async () => {
      server.closeAllConnections(); // the Azure SDK keeps sockets alive; close() alone would wait for them
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (ownsStorage) await fsp.rm(storage, { recursive: true, force: true });
    }
  };
}

/** A URL on 127.0.0.1 where nothing listens (a port that was free a moment ago): ECONNREFUSED. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/`;
}

// ---------------------------------------------------------------- helpers

function newest<T extends { seq: number }>(list: T[]): T | undefined {
  return list.reduce<T | undefined>((best, e) => (!best || e.seq > best.seq ? e : best), undefined);
}

function str(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  return typeof v === 'string' ? v : '';
}

/** Protobuf JSON parsers accept both the proto name and the lowerCamel JSON name. */
function strList(body: Record<string, unknown>, ...names: string[]): string[] {
  for (const n of names) {
    const v = body[n];
    if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  }
  return [];
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  if (req.readableEnded) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Streams the request body into `file`; returns its base64 MD5. */
async function streamToFile(req: IncomingMessage, file: string): Promise<string> {
  const hash = createHash('md5');
  await pipeline(
    req,
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        hash.update(chunk);
        yield chunk;
      }
    },
    createWriteStream(file)
  );
  return hash.digest('base64');
}

function checkTransactionalMd5(req: IncomingMessage, md5: string): void {
  const sent = req.headers['content-md5'];
  if (typeof sent === 'string' && sent !== md5) {
    throw new HttpError(400, 'Md5Mismatch', 'The MD5 value specified in the request did not match the MD5 value calculated by the server.');
  }
}

function blockFileName(blockId: string): string {
  return Buffer.from(blockId, 'utf8').toString('hex');
}

function xmlUnescape(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): number {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
  return status;
}

/** Twirp errors are JSON `{code, msg}`; the client retries 500/502/503/504 and any non-JSON body. */
function twirpError(res: ServerResponse, e: HttpError): number {
  return json(res, e.status, { code: e.code, msg: e.message }, e.headers);
}

/** Headers Azure Storage puts on every answer; the SDK maps them into its response objects. */
function msHeaders(req: IncomingMessage): Record<string, string> {
  const h: Record<string, string> = { 'x-ms-request-id': randomUUID(), 'x-ms-version': AZURE_VERSION };
  const clientId = req.headers['x-ms-client-request-id'];
  if (typeof clientId === 'string') h['x-ms-client-request-id'] = clientId;
  return h;
}

function azureCreated(res: ServerResponse, req: IncomingMessage, headers: Record<string, string>): number {
  // The SDK's operation specs accept only 201 for Put Blob / Put Block / Put Block List.
  res.writeHead(201, { ...headers, 'content-length': '0', ...msHeaders(req) });
  res.end();
  return 201;
}

/** Azure Storage errors are XML with x-ms-error-code; the SDK deserializes them into RestError. */
function azureError(res: ServerResponse, e: HttpError): number {
  const xml =
    `<?xml version="1.0" encoding="utf-8"?><Error><Code>${e.code}</Code>` +
    `<Message>${e.message.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</Message></Error>`;
  res.writeHead(e.status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(xml),
    'x-ms-error-code': e.code,
    'x-ms-request-id': randomUUID(),
    'x-ms-version': AZURE_VERSION
  });
  res.end(xml);
  return e.status;
}
