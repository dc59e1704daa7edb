/**
 * A dependency-free fake of GitHub's artifact service (v4 artifacts) that the REAL `@actions/artifact`
 * 6 accepts, in front of the cache fake: both libraries find their service at ACTIONS_RESULTS_URL,
 * so this server answers the artifact calls and forwards everything else to the cache service (with
 * the cache fake's own token).
 *
 *   POST /twirp/github.actions.results.api.v1.ArtifactService/{CreateArtifact, FinalizeArtifact,
 *        ListArtifacts, GetSignedArtifactURL, DeleteArtifact}      proto-JSON, snake_case, int64 as strings
 *   PUT  /<account>/artifacts/<blob>?sig=…&comp=block&blockid=…     Azure Put Block (uploadStream)
 *   PUT  /<account>/artifacts/<blob>?sig=…&comp=blocklist           Azure Put Block List
 *   PUT  /<account>/artifacts/<blob>?sig=…                          Azure Put Blob
 *   GET  /<account>/artifacts/<blob>?sig=…                          the zip, `content-type: application/zip`
 *
 * The runtime token is a JWT (unsigned here) whose `scp` claim holds `Actions.Results:<run>:<job>`;
 * the library reads the ids from it and the service checks that a request's ids are the token's:
 * a job creates and finalizes only its own artifacts, and lists and downloads only its run's.
 */
import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const PREFIX = '/twirp/github.actions.results.api.v1.ArtifactService/';
const ACCOUNT = 'devstoreaccount1';
const CONTAINER = 'artifacts';

export interface StoredArtifact {
  id: number;
  runId: string;
  jobId: string;
  name: string;
  size: number;
  finalized: boolean;
  content?: Buffer;
  sig: string;
  blocks: Map<string, Buffer>;
  createdAt: string;
}

export interface ArtifactService {
  readonly url: string;
  /** A runtime token for job `jobId` of run `runId` (a JWT with the `scp` claim). */
  token(runId: string, jobId: string): string;
  /** The variables a runner sets for that job: the cache service's, with this URL and the job's token. */
  envFor(runId: string, jobId: string): Record<string, string>;
  /** Finalized artifacts (all runs), oldest first. */
  artifacts(): StoredArtifact[];
  /** Removes run `runId`'s artifact `name` (a shard whose upload never happened). */
  remove(runId: string, name: string): void;
  /** RPC names answered so far, in order, with their status. */
  readonly calls: Array<{ rpc: string; status: number }>;
  stop(): Promise<void>;
}

export function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

/** The (run, job) of a token's `Actions.Results:<run>:<job>` scope; undefined when it has none. */
function scopeOf(authorization: string | undefined): { runId: string; jobId: string } | undefined {
  const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { scp?: unknown };
    for (const scope of String(claims.scp ?? '').split(' ')) {
      const [name, runId, jobId] = scope.split(':');
      if (name === 'Actions.Results' && runId && jobId) return { runId, jobId };
    }
  } catch {
    return undefined;
  }
  return undefined;
}

class TwirpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message);
  }
}

/** `cache`: the cache fake behind (its URL and env); artifact calls never reach it. */
export async function startArtifactService(cache: { url: string; env(): Record<string, string> }): Promise<ArtifactService> {
  const stored: StoredArtifact[] = [];
  const calls: Array<{ rpc: string; status: number }> = [];
  let nextId = 1;
  let base = '';
  const cacheUrl = new URL(cache.url);
  const cacheToken = cache.env().ACTIONS_RUNTIME_TOKEN ?? '';

  const str = (body: Record<string, unknown>, name: string): string => {
    const value = body[name];
    return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
  };
  const signed = (a: StoredArtifact): string => `${base}${ACCOUNT}/${CONTAINER}/${a.id}?sig=${encodeURIComponent(a.sig)}&sv=2025-05-05&sr=b&sp=rcw`;
  const wire = (a: StoredArtifact): Record<string, unknown> => ({
    workflow_run_backend_id: a.runId,
    workflow_job_run_backend_id: a.jobId,
    database_id: String(a.id),
    name: a.name,
    size: String(a.size),
    created_at: a.createdAt
  });

  const rpcs: Record<string, (body: Record<string, unknown>, scope: { runId: string; jobId: string }) => unknown> = {
    CreateArtifact(body, scope) {
      ownJob(body, scope);
      const name = str(body, 'name');
      if (!name) throw new TwirpError(400, 'invalid_argument', 'name is required');
      if (stored.some((a) => a.runId === scope.runId && a.name === name)) {
        throw new TwirpError(409, 'already_exists', `an artifact with this name already exists on the workflow run: ${name}`);
      }
      const artifact: StoredArtifact = {
        id: nextId++,
        runId: scope.runId,
        jobId: scope.jobId,
        name,
        size: 0,
        finalized: false,
        sig: randomBytes(12).toString('base64'),
        blocks: new Map(),
        createdAt: new Date().toISOString()
      };
      stored.push(artifact);
      return { ok: true, signed_upload_url: signed(artifact) };
    },
    FinalizeArtifact(body, scope) {
      ownJob(body, scope);
      const artifact = stored.find((a) => a.runId === scope.runId && a.jobId === scope.jobId && a.name === str(body, 'name') && !a.finalized);
      if (!artifact?.content) throw new TwirpError(404, 'not_found', `no upload for artifact ${str(body, 'name')}`);
      if (Number(str(body, 'size')) !== artifact.content.length) throw new TwirpError(400, 'invalid_argument', 'size mismatch');
      artifact.finalized = true;
      artifact.size = artifact.content.length;
      return { ok: true, artifact_id: String(artifact.id) };
    },
    ListArtifacts(body, scope) {
      ownRun(body, scope);
      const name = str(body, 'name_filter');
      const id = str(body, 'id_filter');
      const found = stored.filter((a) => a.finalized && a.runId === scope.runId && (!name || a.name === name) && (!id || String(a.id) === id));
      return { artifacts: found.map(wire) };
    },
    GetSignedArtifactURL(body, scope) {
      ownRun(body, scope);
      const artifact = stored.find((a) => a.finalized && a.runId === scope.runId && a.name === str(body, 'name'));
      if (!artifact) throw new TwirpError(404, 'not_found', `artifact ${str(body, 'name')} not found`);
      return { signed_url: signed(artifact) };
    },
    DeleteArtifact(body, scope) {
      ownRun(body, scope);
      const index = stored.findIndex((a) => a.finalized && a.runId === scope.runId && a.name === str(body, 'name'));
      if (index < 0) throw new TwirpError(404, 'not_found', `artifact ${str(body, 'name')} not found`);
      const [gone] = stored.splice(index, 1);
      return { ok: true, artifact_id: String(gone!.id) };
    }
  };

  function ownRun(body: Record<string, unknown>, scope: { runId: string }): void {
    if (str(body, 'workflow_run_backend_id') !== scope.runId) throw new TwirpError(403, 'permission_denied', 'the token is not for this workflow run');
  }
  function ownJob(body: Record<string, unknown>, scope: { runId: string; jobId: string }): void {
    ownRun(body, scope);
    if (str(body, 'workflow_job_run_backend_id') !== scope.jobId) throw new TwirpError(403, 'permission_denied', 'the token is not for this job');
  }

  async function twirp(req: IncomingMessage, res: ServerResponse, rpc: string): Promise<void> {
    const body = await readAll(req);
    const answer = (status: number, value: unknown): void => {
      calls.push({ rpc, status });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    };
    try {
      const handler = rpcs[rpc];
      if (req.method !== 'POST' || !handler) throw new TwirpError(404, 'bad_route', `no handler for ${rpc}`);
      const scope = scopeOf(req.headers.authorization);
      if (!scope) throw new TwirpError(401, 'unauthenticated', 'the token has no Actions.Results scope');
      answer(200, handler(JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>, scope));
    } catch (error) {
      const e = error instanceof TwirpError ? error : new TwirpError(500, 'internal', String(error));
      answer(e.status, { code: e.code, msg: e.message });
    }
  }

  async function blob(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const body = await readAll(req);
    const id = Number(url.pathname.split('/')[3]);
    const artifact = stored.find((a) => a.id === id);
    if (!artifact || url.searchParams.get('sig') !== artifact.sig) {
      res.writeHead(403, { 'content-type': 'application/xml' }).end('<?xml version="1.0"?><Error><Code>AuthenticationFailed</Code></Error>');
      return;
    }
    const created = (): void => {
      res.writeHead(201, { 'x-ms-request-id': randomBytes(8).toString('hex'), 'x-ms-version': '2025-05-05', etag: `"${id}"` }).end();
    };
    const comp = url.searchParams.get('comp');
    if (req.method === 'PUT' && comp === 'block') {
      artifact.blocks.set(url.searchParams.get('blockid') ?? '', body);
      return created();
    }
    if (req.method === 'PUT' && comp === 'blocklist') {
      const ids = [...body.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g)].map((m) => m[1]!);
      artifact.content = Buffer.concat(ids.map((blockId) => artifact.blocks.get(blockId) ?? Buffer.alloc(0)));
      artifact.blocks.clear();
      return created();
    }
    if (req.method === 'PUT') {
      artifact.content = body;
      return created();
    }
    if (req.method === 'GET' && artifact.finalized && artifact.content) {
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': String(artifact.content.length) }).end(artifact.content);
      return;
    }
    res.writeHead(404).end();
  }

  /** Everything else is the cache service's: passed on with the cache fake's token. */
  function forward(req: IncomingMessage, res: ServerResponse): void {
    const headers = { ...req.headers, host: cacheUrl.host };
    if (headers.authorization) headers.authorization = `Bearer ${cacheToken}`;
    const upstream = httpRequest({ host: cacheUrl.hostname, port: cacheUrl.port, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const handled = url.pathname.startsWith(PREFIX)
      ? twirp(req, res, url.pathname.slice(PREFIX.length))
      : url.pathname.startsWith(`/${ACCOUNT}/${CONTAINER}/`)
        ? blob(req, res, url)
        : (forward(req, res), Promise.resolve());
    handled.catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  const token = (runId: string, jobId: string): string => jwt({ scp: `Actions.ExampleScope Actions.Results:${runId}:${jobId}` });
  return {
    url: base,
    token,
    envFor: (runId, jobId) => ({ ...cache.env(), ACTIONS_RESULTS_URL: base, ACTIONS_RUNTIME_TOKEN: token(runId, jobId) }),
    artifacts: () => stored.filter((a) => a.finalized),
    remove(runId, name) {
      const index = stored.findIndex((a) => a.runId === runId && a.name === name);
      if (index >= 0) stored.splice(index, 1);
    },
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
