/**
 * A loopback fake of the parts of GitHub's REST API that the pull request comment, patch coverage
 * and Deployments use, answering as api.github.com does (status codes, bodies, pagination):
 *
 * - `GET|POST /repos/{o}/{r}/issues/{n}/comments`, `PATCH /repos/{o}/{r}/issues/comments/{id}`
 * - `GET /repos/{o}/{r}/pulls/{n}/files` (at most 3,000 files, as GitHub)
 * - `GET|POST /repos/{o}/{r}/deployments` (filters sha, ref, task, environment; newest first)
 * - `GET|POST /repos/{o}/{r}/deployments/{id}/statuses` (newest first; a `success` with auto_inactive,
 *   the default, makes earlier succeeded non-transient, non-production ones of its environment `inactive`)
 *
 * Lists page with `per_page` (default 30, at most 100) and `page`, and a `Link` header. Every request
 * needs `Authorization: token <token>` or `Bearer <token>` (else 401) and is recorded. `readOnly(true)`
 * answers 403 "Resource not accessible by integration" to every write, as a fork's token gets.
 * Bound to 127.0.0.1 on a free port; `stop()` closes it.
 */
import http from 'node:http';

export interface RecordedRequest {
  method: string;
  /** `/repos/acme/shop/issues/7/comments` */
  path: string;
  query: Record<string, string>;
  /** The JSON body, parsed; undefined without one. */
  body: unknown;
  authorization?: string;
  status: number;
}

export interface FakeComment {
  id: number;
  body: string;
  user: { login: string; type: 'Bot' | 'User' };
  html_url: string;
  created_at: string;
  updated_at: string;
}

export interface FakePullFile {
  filename: string;
  status: string;
  previous_filename?: string;
  /** Left out for binary files and very large diffs, as GitHub does. */
  patch?: string;
  additions?: number;
  deletions?: number;
}

export interface FakeDeployment {
  id: number;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  description: string | null;
  payload: unknown;
  transient_environment: boolean;
  production_environment: boolean;
  created_at: string;
}

export interface FakeDeploymentStatus {
  id: number;
  state: string;
  description: string;
  environment: string;
  environment_url: string;
  log_url: string;
  created_at: string;
}

export interface FakeGitHub {
  /** `http://127.0.0.1:PORT`: the `baseUrl` for Octokit, or `GITHUB_API_URL`. */
  url: string;
  token: string;
  /** The login the token belongs to: the author of comments it creates. */
  login: string;
  /** Every request, in order. */
  requests: RecordedRequest[];
  /** A comment already on the pull request or issue (`repo` is `owner/name`). */
  addComment(repo: string, issue: number, body: string, login?: string): FakeComment;
  comments(repo: string, issue: number): FakeComment[];
  setPullFiles(repo: string, pull: number, files: FakePullFile[]): void;
  deployments(repo: string): FakeDeployment[];
  statuses(repo: string, deployment: number): FakeDeploymentStatus[];
  /** true: every write answers 403, as with a fork's read-only token. */
  readOnly(on: boolean): void;
  stop(): Promise<void>;
}

const STATES = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'];
const MAX_PULL_FILES = 3000;

class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {}
  ) {}
}
const fail = (status: number, message: string): HttpAnswer =>
  new HttpAnswer(status, { message, documentation_url: 'https://docs.github.com/rest', status: `${status}` });

/** One page of `items` and its Link header, as GitHub pages lists. */
function page<T>(items: T[], url: URL, origin: string): HttpAnswer {
  const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 30) || 30));
  const current = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number, rel: string): string => {
    const target = new URL(url.pathname + url.search, origin);
    target.searchParams.set('per_page', String(perPage));
    target.searchParams.set('page', String(n));
    return `<${target.href}>; rel="${rel}"`;
  };
  const rels = [
    ...(current > 1 ? [link(current - 1, 'prev')] : []),
    ...(current < last ? [link(current + 1, 'next'), link(last, 'last')] : []),
    ...(current > 1 ? [link(1, 'first')] : [])
  ];
  return new HttpAnswer(200, items.slice((current - 1) * perPage, current * perPage), rels.length > 0 ? { link: rels.join(', ') } : {});
}

export async function startFakeGitHub(options: { token?: string; login?: string } = {}): Promise<FakeGitHub> {
  const token = options.token ?? 'ghs_fake-token';
  const login = options.login ?? 'github-actions[bot]';
  const requests: RecordedRequest[] = [];
  const comments = new Map<string, (FakeComment & { issue: number })[]>();
  const pullFiles = new Map<string, FakePullFile[]>();
  const deployments = new Map<string, FakeDeployment[]>();
  const statuses = new Map<string, FakeDeploymentStatus[]>();
  let nextId = 1000;
  let readOnly = false;
  let origin = '';
  const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const listOf = <T>(map: Map<string, T[]>, key: string): T[] => map.get(key) ?? map.set(key, []).get(key)!;

  const publicComment = ({ issue: _issue, ...comment }: FakeComment & { issue: number }): FakeComment => comment;

  function addComment(repo: string, issue: number, body: string, author = login): FakeComment {
    const id = nextId++;
    const comment = {
      id,
      issue,
      body,
      user: { login: author, type: author.endsWith('[bot]') ? 'Bot' : 'User' } as const,
      html_url: `https://github.com/${repo}/pull/${issue}#issuecomment-${id}`,
      created_at: now(),
      updated_at: now()
    };
    listOf(comments, repo).push(comment);
    return publicComment(comment);
  }

  function addStatus(repo: string, deployment: FakeDeployment, fields: Record<string, unknown>): FakeDeploymentStatus {
    const status: FakeDeploymentStatus = {
      id: nextId++,
      state: String(fields.state),
      description: typeof fields.description === 'string' ? fields.description : '',
      environment: typeof fields.environment === 'string' ? fields.environment : deployment.environment,
      environment_url: typeof fields.environment_url === 'string' ? fields.environment_url : '',
      log_url: typeof fields.log_url === 'string' ? fields.log_url : '',
      created_at: now()
    };
    listOf(statuses, `${repo}#${deployment.id}`).unshift(status);
    return status;
  }

  function deactivateEarlier(repo: string, current: FakeDeployment): void {
    for (const earlier of listOf(deployments, repo)) {
      const latest = listOf(statuses, `${repo}#${earlier.id}`)[0];
      const applies =
        earlier.id < current.id && earlier.environment === current.environment && !earlier.transient_environment && !earlier.production_environment;
      if (applies && latest?.state === 'success') addStatus(repo, earlier, { state: 'inactive', environment_url: latest.environment_url });
    }
  }

  function route(method: string, url: URL, body: Record<string, unknown>): HttpAnswer {
    const match = /^\/repos\/([^/]+)\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (!match) return fail(404, 'Not Found');
    const repo = `${decodeURIComponent(match[1]!)}/${decodeURIComponent(match[2]!)}`;
    const rest = match[3]!;
    const write = method !== 'GET';
    if (write && readOnly) return fail(403, 'Resource not accessible by integration');
    let m: RegExpExecArray | null;
    if ((m = /^issues\/(\d+)\/comments$/.exec(rest))) {
      const issue = Number(m[1]);
      if (!write)
        return page(
          listOf(comments, repo)
            .filter((c) => c.issue === issue)
            .map(publicComment),
          url,
          origin
        );
      if (method !== 'POST') return fail(404, 'Not Found');
      if (typeof body.body !== 'string') return fail(422, 'Invalid request.\n\n"body" wasn\'t supplied.');
      return new HttpAnswer(201, addComment(repo, issue, body.body));
    }
    if ((m = /^issues\/comments\/(\d+)$/.exec(rest)) && method === 'PATCH') {
      const comment = listOf(comments, repo).find((c) => c.id === Number(m![1]));
      if (!comment) return fail(404, 'Not Found');
      if (typeof body.body !== 'string') return fail(422, 'Invalid request.\n\n"body" wasn\'t supplied.');
      Object.assign(comment, { body: body.body, updated_at: now() });
      return new HttpAnswer(200, publicComment(comment));
    }
    if ((m = /^pulls\/(\d+)\/files$/.exec(rest)) && !write) {
      const files = pullFiles.get(`${repo}#${m[1]}`);
      return files ? page(files.slice(0, MAX_PULL_FILES), url, origin) : fail(404, 'Not Found');
    }
    if (rest === 'deployments') {
      const list = listOf(deployments, repo);
      if (!write) {
        const filters = ['sha', 'ref', 'task', 'environment'] as const;
        const wanted = list.filter((d) => filters.every((f) => !url.searchParams.has(f) || d[f] === url.searchParams.get(f)));
        return page([...wanted].reverse(), url, origin);
      }
      if (typeof body.ref !== 'string' || body.ref === '') return fail(422, 'Invalid request.\n\n"ref" wasn\'t supplied.');
      const environment = typeof body.environment === 'string' ? body.environment : 'production';
      const deployment: FakeDeployment = {
        id: nextId++,
        ref: body.ref,
        sha: /^[0-9a-f]{40}$/.test(body.ref) ? body.ref : 'f'.repeat(40),
        task: typeof body.task === 'string' ? body.task : 'deploy',
        environment,
        description: typeof body.description === 'string' ? body.description : null,
        payload: body.payload ?? {},
        transient_environment: body.transient_environment === true,
        production_environment: typeof body.production_environment === 'boolean' ? body.production_environment : environment === 'production',
        created_at: now()
      };
      list.push(deployment);
      return new HttpAnswer(201, deployment);
    }
    if ((m = /^deployments\/(\d+)\/statuses$/.exec(rest))) {
      const deployment = listOf(deployments, repo).find((d) => d.id === Number(m![1]));
      if (!deployment) return fail(404, 'Not Found');
      if (!write) return page(listOf(statuses, `${repo}#${deployment.id}`), url, origin);
      if (!STATES.includes(String(body.state))) return fail(422, 'Validation Failed');
      const status = addStatus(repo, deployment, body);
      if (status.state === 'success' && body.auto_inactive !== false) deactivateEarlier(repo, deployment);
      return new HttpAnswer(201, status);
    }
    return fail(404, 'Not Found');
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', origin);
      let body: unknown;
      let malformed = false;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        [body, malformed] = [text, true];
      }
      const credentials = /^(?:token|bearer) +(\S+)$/i.exec(req.headers.authorization ?? '');
      const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
      const result =
        credentials?.[1] !== token ? fail(401, 'Bad credentials') : malformed ? fail(400, 'Problems parsing JSON') : route(req.method ?? 'GET', url, fields);
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body,
        authorization: req.headers.authorization,
        status: result.status
      });
      res.writeHead(result.status, { 'content-type': 'application/json; charset=utf-8', ...result.headers }).end(JSON.stringify(result.body));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  return {
    url: origin,
    token,
    login,
    requests,
    addComment,
    comments: (repo, issue) =>
      listOf(comments, repo)
        .filter((c) => c.issue === issue)
        .map(publicComment),
    setPullFiles: (repo, pull, files) => void pullFiles.set(`${repo}#${pull}`, files),
    deployments: (repo) => [...listOf(deployments, repo)],
    statuses: (repo, deployment) => [...listOf(statuses, `${repo}#${deployment}`)],
    readOnly: (on) => void (readOnly = on),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
}
