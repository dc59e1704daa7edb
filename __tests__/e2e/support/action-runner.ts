/**
 * Runs the BUNDLED action (`runs.main` of action.yml, i.e. dist/index.js) in a child process the way
 * the GitHub Actions runner does for a `node24` action, and reads back what the runner would:
 * outputs, state, env, path and step summary files, workflow commands on stdout, the exit code.
 *
 * What the runner does and this emulates:
 * - every input with a `default:` in action.yml becomes `INPUT_<NAME>` (upper case, spaces -> `_`,
 *   hyphens kept), overridden by the step's `with:` (here `inputs`); defaults are expressions the
 *   runner evaluates (`${{ github.token }}` -> a fake token here);
 * - file commands: a fresh GITHUB_OUTPUT / GITHUB_STATE / GITHUB_ENV / GITHUB_PATH /
 *   GITHUB_STEP_SUMMARY file per step, parsed after the step (`name=value` lines and the
 *   `name<<DELIMITER` heredoc form that @actions/core writes);
 * - the event payload file (GITHUB_EVENT_PATH) and the GITHUB_* / RUNNER_* variables;
 * - cwd = GITHUB_WORKSPACE;
 * - post step (`runs.post`): run after main with `STATE_<name>` for each saved state and the env /
 *   path additions of main applied; `post-if` defaults to `always()`.
 *
 * The child does NOT inherit the test process's GITHUB_* / RUNNER_* / ACTIONS_* / INPUT_* / STATE_*
 * variables (when the tests themselves run in GitHub Actions, the action must not write to the outer
 * job's GITHUB_OUTPUT or use its cache token), nor NODE_OPTIONS (jest's --experimental-vm-modules)
 * or npm's npm_* variables.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir, repoRoot } from './workspace.js';

// ----------------------------------------------------------------------------- action.yml

export interface ActionInput {
  description?: string;
  required?: string;
  default?: string;
}

export interface ActionMetadata {
  name?: string;
  inputs: Record<string, ActionInput>;
  outputs: string[];
  runs: { using?: string; main?: string; pre?: string; post?: string; 'pre-if'?: string; 'post-if'?: string };
}

type YamlValue = string | YamlMap | YamlValue[];
interface YamlMap {
  [key: string]: YamlValue;
}

/**
 * Parses the YAML subset action.yml files use: nested mappings, plain / 'single' / "double" quoted
 * scalars, `|` and `>` block scalars (with -/+ chomping), comments, simple sequences, one-line flow
 * mappings. Anchors, flow sequences and multi-line quoted scalars are not supported (kept as raw text).
 */
export function parseYamlSubset(text: string): YamlMap {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const [map] = parseMapping(lines, 0, 0);
  return map;
}

const indentOf = (line: string): number => line.length - line.trimStart().length;
const isBlank = (line: string): boolean => /^\s*(#.*)?$/.test(line) || /^(---|\.\.\.)\s*$/.test(line);

function nextContentLine(lines: string[], i: number): number {
  while (i < lines.length && isBlank(lines[i] ?? '')) i++;
  return i;
}

function parseMapping(lines: string[], start: number, indent: number): [YamlMap, number] {
  const map: YamlMap = {};
  let i = start;
  for (;;) {
    i = nextContentLine(lines, i);
    if (i >= lines.length) break;
    const line = lines[i] ?? '';
    const ind = indentOf(line);
    if (ind < indent) break;
    const content = line.slice(ind);
    if (ind > indent) throw new Error(`action.yml: unexpected indentation at line ${i + 1} (unsupported YAML?): ${line}`);
    if (content.startsWith('- ') || content === '-') break;
    const m = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"][^:]*?)\s*:(?:\s+(.*))?$/.exec(content);
    if (!m) throw new Error(`action.yml: cannot parse line ${i + 1}: ${line}`);
    const key = unquote(m[1] ?? '');
    const rest = (m[2] ?? '').trim();
    i++;
    if (/^[|>][-+]?\d*\s*(#.*)?$/.test(rest)) {
      const [value, next] = parseBlockScalar(lines, i, ind, rest);
      map[key] = value;
      i = next;
    } else if (rest === '' || rest.startsWith('#')) {
      const n = nextContentLine(lines, i);
      const child = lines[n] ?? '';
      const childIndent = indentOf(child);
      const childContent = child.slice(childIndent);
      if (n < lines.length && childIndent >= ind && (childContent.startsWith('- ') || childContent === '-')) {
        const [seq, next] = parseSequence(lines, n, childIndent);
        map[key] = seq;
        i = next;
      } else if (n < lines.length && childIndent > ind) {
        const [child2, next] = parseMapping(lines, n, childIndent);
        map[key] = child2;
        i = next;
      } else {
        map[key] = '';
      }
    } else if (/^\{.*\}$/.test(rest.replace(/\s+#.*$/, ''))) {
      map[key] = parseFlowMapping(rest.replace(/\s+#.*$/, ''));
    } else {
      // A plain scalar may continue on more-indented lines (folded with spaces).
      let value = parseScalar(rest);
      if (!/^["']/.test(rest)) {
        for (;;) {
          const n = nextContentLine(lines, i);
          const cont = lines[n] ?? '';
          if (n >= lines.length || indentOf(cont) <= ind || /^\S[^:]*:(\s|$)/.test(cont.trim())) break;
          value += ` ${parseScalar(cont.trim())}`;
          i = n + 1;
        }
      }
      map[key] = value;
    }
  }
  return [map, i];
}

/** `{ a: 1, b: 'x, y' }` (one line, no nesting). */
function parseFlowMapping(text: string): YamlMap {
  const map: YamlMap = {};
  const parts = text.slice(1, -1).match(/(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^,])+/g) ?? [];
  for (const part of parts) {
    const m = /^\s*("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^:]+?)\s*:\s*(.*)$/.exec(part);
    if (m) map[unquote(m[1] ?? '')] = parseScalar(m[2] ?? '');
  }
  return map;
}

function parseSequence(lines: string[], start: number, indent: number): [YamlValue[], number] {
  const items: YamlValue[] = [];
  let i = start;
  for (;;) {
    i = nextContentLine(lines, i);
    const line = lines[i] ?? '';
    if (i >= lines.length || indentOf(line) !== indent) break;
    const content = line.slice(indent);
    if (!(content.startsWith('- ') || content === '-')) break;
    const item = content.slice(1).trim();
    if (/^[^\s#'"][^:]*?:(\s|$)/.test(item)) {
      // "- key: value" starts a mapping indented at the item's content column.
      const copy = lines.slice();
      copy[i] = ' '.repeat(indent + 2) + item;
      const [map, next] = parseMapping(copy, i, indent + 2);
      items.push(map);
      i = next;
    } else {
      items.push(parseScalar(item));
      i++;
    }
  }
  return [items, i];
}

function parseBlockScalar(lines: string[], start: number, parentIndent: number, header: string): [string, number] {
  const folded = header.startsWith('>');
  const chomp = header.includes('-') ? 'strip' : header.includes('+') ? 'keep' : 'clip';
  const body: string[] = [];
  let blockIndent = -1;
  let i = start;
  for (; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') {
      body.push('');
      continue;
    }
    const ind = indentOf(line);
    if (ind <= parentIndent) break;
    if (blockIndent < 0) blockIndent = ind;
    if (ind < blockIndent) break;
    body.push(line.slice(blockIndent));
  }
  // Trailing blank lines belong to the block only for chomping purposes.
  let trailing = 0;
  while (body.length && body[body.length - 1] === '') {
    body.pop();
    trailing++;
  }
  let text = folded ? foldLines(body) : body.join('\n');
  if (chomp === 'clip' && body.length) text += '\n';
  if (chomp === 'keep') text += '\n'.repeat(trailing + (body.length ? 1 : 0));
  return [text, i];
}

function foldLines(body: string[]): string {
  let out = '';
  for (let k = 0; k < body.length; k++) {
    const line = body[k] ?? '';
    if (k === 0) out = line;
    else if (line === '') out += '\n';
    else if (body[k - 1] === '' || /^\s/.test(line) || /^\s/.test(body[k - 1] ?? '')) out += line;
    else out += ` ${line}`;
  }
  return out;
}

function parseScalar(raw: string): string {
  const s = raw.trim();
  if (s.startsWith('"')) {
    const m = /^"((?:[^"\\]|\\.)*)"/.exec(s);
    if (m) return JSON.parse(`"${(m[1] ?? '').replace(/\\'/g, "'")}"`) as string;
  }
  if (s.startsWith("'")) {
    const m = /^'((?:[^']|'')*)'/.exec(s);
    if (m) return (m[1] ?? '').replace(/''/g, "'");
  }
  // A comment starts at " #" in a plain scalar; "${{ x }}" and "a#b" are kept.
  return s.replace(/\s+#.*$/, '').trim();
}

function unquote(key: string): string {
  return /^["']/.test(key) ? parseScalar(key) : key.trim();
}

/** Reads an action.yml / action.yaml into the parts the runner uses. */
export function readActionMetadata(actionDir: string = repoRoot()): ActionMetadata {
  const file = ['action.yml', 'action.yaml'].map((f) => path.join(actionDir, f)).find((f) => existsSync(f));
  if (!file) throw new Error(`no action.yml in ${actionDir}`);
  const doc = parseYamlSubset(readFileSync(file, 'utf8'));
  const asMap = (v: YamlValue | undefined): YamlMap => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
  const inputs: Record<string, ActionInput> = {};
  for (const [name, spec] of Object.entries(asMap(doc['inputs']))) {
    const s = asMap(spec);
    const input: ActionInput = {};
    for (const k of ['description', 'required', 'default'] as const) {
      const v = s[k];
      if (typeof v === 'string') input[k] = v;
    }
    inputs[name] = input;
  }
  const runs: ActionMetadata['runs'] = {};
  for (const [k, v] of Object.entries(asMap(doc['runs']))) {
    if (typeof v === 'string') (runs as Record<string, string>)[k] = v;
  }
  return {
    name: typeof doc['name'] === 'string' ? doc['name'] : undefined,
    inputs,
    outputs: Object.keys(asMap(doc['outputs'])),
    runs
  };
}

/** `INPUT_<NAME>` as the runner builds it: spaces to underscores, upper case, hyphens kept. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

// ----------------------------------------------------------------------------- file commands

/**
 * Parses a GITHUB_OUTPUT / GITHUB_STATE / GITHUB_ENV file like the runner: `name=value` lines, or
 * `name<<DELIMITER` followed by value lines up to a line equal to DELIMITER (what @actions/core 3
 * always writes, with a random `ghadelimiter_<uuid>`). Whichever of `=` and `<<` comes first in the
 * line decides. Later values win.
 */
export function parseFileCommand(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const eq = line.indexOf('=');
    const hd = line.indexOf('<<');
    if (eq >= 0 && (hd < 0 || eq < hd)) {
      out[line.slice(0, eq)] = line.slice(eq + 1);
    } else if (hd >= 0) {
      const name = line.slice(0, hd);
      const delimiter = line.slice(hd + 2);
      const value: string[] = [];
      let closed = false;
      for (i++; i < lines.length; i++) {
        if (lines[i] === delimiter) {
          closed = true;
          break;
        }
        value.push(lines[i] ?? '');
      }
      if (!closed) throw new Error(`file command: no closing delimiter ${delimiter} for ${name}`);
      out[name] = value.join('\n');
    } else {
      throw new Error(`file command: invalid line: ${line}`);
    }
  }
  return out;
}

// ----------------------------------------------------------------------------- workflow commands

export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
  /** Read from the older `##[name]message` form. */
  legacy?: boolean;
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  file?: string;
  line?: number;
  endLine?: number;
  col?: number;
  endColumn?: number;
  title?: string;
}

export interface ParsedStdout {
  commands: WorkflowCommand[];
  annotations: Annotation[];
  /** Values registered with `::add-mask::`. */
  masks: string[];
  /** `::debug::` messages (the runner shows them only with step debug logging). */
  debug: string[];
  /** Names of `::group::`s opened, in order. */
  groups: string[];
  /** stdout without workflow-command lines: what a user reads in the log. */
  log: string;
}

// The runner's escaping (ActionCommand): message %25 %0D %0A; properties also %3A (:) and %2C (,).
const unescapeData = (s: string): string => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProperty = (s: string): string => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');

/** Parses `::command k=v,k=v::message` lines (honouring `::stop-commands::token` ... `::token::`). */
export function parseWorkflowCommands(stdout: string): ParsedStdout {
  const result: ParsedStdout = { commands: [], annotations: [], masks: [], debug: [], groups: [], log: '' };
  const log: string[] = [];
  let stopToken: string | undefined;
  for (const rawLine of stdout.split(/\r?\n/)) {
    const line = rawLine.trimStart();
    if (stopToken !== undefined) {
      if (line === `::${stopToken}::`) stopToken = undefined;
      else log.push(rawLine);
      continue;
    }
    const m = /^::([A-Za-z-]+)(?:\s+([^:]*))?::(.*)$/.exec(line);
    // The runner still obeys the older form `##[name k=v;k=v]message`, found anywhere in a line.
    const legacy = /##\[([A-Za-z-]+)(?:\s+([^\]]*))?\](.*)$/.exec(rawLine);
    if (!m && legacy) {
      result.commands.push({ command: legacy[1] ?? '', properties: {}, message: legacy[3] ?? '', legacy: true });
      log.push(rawLine);
      continue;
    }
    if (!m) {
      log.push(rawLine);
      continue;
    }
    const command = m[1] ?? '';
    const properties: Record<string, string> = {};
    for (const pair of (m[2] ?? '').split(',')) {
      const eq = pair.indexOf('=');
      if (eq > 0) properties[pair.slice(0, eq).trim()] = unescapeProperty(pair.slice(eq + 1));
    }
    const message = unescapeData(m[3] ?? '');
    result.commands.push({ command, properties, message });
    switch (command) {
      case 'error':
      case 'warning':
      case 'notice': {
        const a: Annotation = { level: command, message };
        if (properties['file'] !== undefined) a.file = properties['file'];
        if (properties['title'] !== undefined) a.title = properties['title'];
        for (const [prop, key] of [
          ['line', 'line'],
          ['endLine', 'endLine'],
          ['col', 'col'],
          ['endColumn', 'endColumn']
        ] as const) {
          const v = properties[prop];
          if (v !== undefined && v !== '' && !Number.isNaN(Number(v))) a[key] = Number(v);
        }
        result.annotations.push(a);
        break;
      }
      case 'add-mask':
        result.masks.push(message);
        break;
      case 'debug':
        result.debug.push(message);
        break;
      case 'group':
        result.groups.push(message);
        break;
      case 'stop-commands':
        stopToken = message;
        break;
      default:
        break;
    }
  }
  result.log = log.join('\n');
  return result;
}

// ----------------------------------------------------------------------------- running

export interface RunActionOptions {
  /** GITHUB_WORKSPACE and cwd (e.g. from createWorkspace()). */
  workspace: string;
  /** The step's `with:`; booleans and numbers become strings. Unknown names throw unless allowUnexpectedInputs. */
  inputs?: Record<string, string | number | boolean>;
  allowUnexpectedInputs?: boolean;
  /** Event name (default `push`). */
  event?: string;
  /** Merged (deeply) over the default payload for the event. */
  payload?: Record<string, unknown>;
  /** Default: push -> refs/heads/<defaultBranch>; pull_request -> refs/pull/<n>/merge. */
  ref?: string;
  sha?: string;
  /** owner/name (default acme/shop). */
  repository?: string;
  defaultBranch?: string;
  /** The token `${{ github.token }}` expands to. */
  githubToken?: string;
  /** A cache service (or anything with `env()`), typically from startCacheService(). */
  cacheService?: { env(): Record<string, string> };
  /** Extra env for the child, applied last (e.g. pipMirrorEnv(), DOCKER_HOST). */
  env?: Record<string, string | undefined>;
  /** Kill the step (its whole process group) after this long. Default 100 s (jest's limit is 120 s). */
  timeoutMs?: number;
  /** Directory holding action.yml and dist/ (default: the repository root). */
  actionDir?: string;
  /** Node binary (default SLIPWAY_E2E_NODE or the node running the tests). */
  node?: string;
  /** Per-job directory (RUNNER_TEMP, file commands, event file); default: a new temp dir. */
  jobDir?: string;
  /** RUNNER_TOOL_CACHE (persists across jobs on real runners); default: <jobDir>/tool-cache. */
  toolCache?: string;
  /** Also stream the child's output to this process's stderr (also SLIPWAY_E2E_VERBOSE=1). */
  echo?: boolean;
  /** Called with the step's process once it started (to signal it, as a cancel would). */
  onStart?: (child: ChildProcess) => void;
  /** Called with each chunk of the step's stdout as it arrives, and when (Date.now()). */
  onStdout?: (chunk: string, at: number) => void;
  /**
   * Leave what the step started running after it ends, as the runner does until the job ends (for a
   * post step to find). By default everything in the step's process group is killed when it ends.
   */
  leaveRunning?: boolean;
}

export interface ActionResult extends ParsedStdout {
  step: 'pre' | 'main' | 'post';
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Exit code 0 and no timeout. */
  ok: boolean;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  /** What the step wrote to GITHUB_ENV. */
  env: Record<string, string>;
  /** What the step wrote to GITHUB_PATH. */
  path: string[];
  summary: string;
  durationMs: number;
  /** The environment the child ran with (for debugging and for runPost). */
  childEnv: Record<string, string>;
  jobDir: string;
  runnerTemp: string;
  options: RunActionOptions;
}

const DEFAULT_SHA = '3f786850e387550fdab836ed7e6dc881de23001b';
const FAKE_TOKEN = 'ghs_FakeTokenForSlipwayEndToEndTests0000';

/** Runs the action's main entry point once, as one step of a fresh job (unless jobDir is shared). */
export async function runAction(options: RunActionOptions): Promise<ActionResult> {
  const meta = readActionMetadata(options.actionDir ?? repoRoot());
  const jobDir = options.jobDir ?? makeTempDir('slipway-job-');
  const env = buildJobEnv(options, meta, jobDir);
  return runStep('main', meta.runs.main ?? 'dist/index.js', env, options, jobDir);
}

/**
 * Runs the post entry point after `main`, as the runner does at the end of the job: same job
 * directory, `STATE_<name>` for each state main saved, main's GITHUB_ENV / GITHUB_PATH applied.
 * Returns undefined when action.yml has no `post:` or `post-if: success()` and main failed.
 */
export async function runPost(main: ActionResult, extra: Partial<RunActionOptions> = {}): Promise<ActionResult | undefined> {
  const options = { ...main.options, ...extra, jobDir: main.jobDir };
  const meta = readActionMetadata(options.actionDir ?? repoRoot());
  if (!meta.runs.post) return undefined;
  const postIf = (meta.runs['post-if'] ?? 'always()').replace(/^\$\{\{\s*|\s*\}\}$/g, '').trim();
  if (postIf === 'success()' && !main.ok) return undefined;
  if (postIf === 'failure()' && main.ok) return undefined;
  const env: Record<string, string> = { ...main.childEnv, ...main.env };
  for (const [k, v] of Object.entries(main.state)) env[`STATE_${k}`] = v;
  if (main.path.length) env['PATH'] = [...[...main.path].reverse(), env['PATH'] ?? ''].join(path.delimiter);
  for (const [k, v] of Object.entries(extra.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return runStep('post', meta.runs.post, env, options, main.jobDir);
}

/** main, then post if declared: what a job with this one step does. */
export async function runActionWithPost(options: RunActionOptions): Promise<{ main: ActionResult; post: ActionResult | undefined }> {
  const main = await runAction(options);
  return { main, post: await runPost(main) };
}

function buildJobEnv(options: RunActionOptions, meta: ActionMetadata, jobDir: string): Record<string, string> {
  const repository = options.repository ?? 'acme/shop';
  const [owner = 'acme', repoName = 'shop'] = repository.split('/');
  const defaultBranch = options.defaultBranch ?? 'main';
  const event = options.event ?? 'push';
  const sha = options.sha ?? DEFAULT_SHA;
  const token = options.githubToken ?? FAKE_TOKEN;
  const prNumber = 1;
  const ref = options.ref ?? (event === 'pull_request' || event === 'pull_request_target' ? `refs/pull/${prNumber}/merge` : `refs/heads/${defaultBranch}`);
  const refType = ref.startsWith('refs/tags/') ? 'tag' : 'branch';
  const refName = ref.replace(/^refs\/(heads|tags|pull)\//, '');

  const runnerTemp = path.join(jobDir, 'temp');
  const toolCache = options.toolCache ?? path.join(jobDir, 'tool-cache');
  for (const d of [runnerTemp, toolCache, path.join(jobDir, 'file-commands')]) mkdirSync(d, { recursive: true });

  const repoPayload = {
    id: 123456789,
    name: repoName,
    full_name: repository,
    private: false,
    owner: { login: owner, id: 1, type: 'Organization' },
    html_url: `https://github.com/${repository}`,
    clone_url: `https://github.com/${repository}.git`,
    default_branch: defaultBranch
  };
  const sender = { login: 'octocat', id: 583231, type: 'User' };
  const basePayload: Record<string, unknown> =
    event === 'pull_request' || event === 'pull_request_target'
      ? {
          action: 'synchronize',
          number: prNumber,
          pull_request: {
            number: prNumber,
            state: 'open',
            head: { ref: 'feature/x', sha, repo: repoPayload },
            base: { ref: defaultBranch, sha: '0'.repeat(40), repo: repoPayload }
          },
          repository: repoPayload,
          sender
        }
      : event === 'push'
        ? {
            ref,
            before: '0'.repeat(40),
            after: sha,
            created: false,
            deleted: false,
            head_commit: { id: sha, message: 'Test commit', timestamp: new Date().toISOString() },
            pusher: { name: 'octocat' },
            repository: repoPayload,
            sender
          }
        : { repository: repoPayload, sender };
  const payload = deepMerge(basePayload, options.payload ?? {});
  const eventPath = path.join(jobDir, 'event.json');
  writeFileSync(eventPath, JSON.stringify(payload, null, 2));

  const pr = (payload['pull_request'] ?? {}) as { head?: { ref?: string }; base?: { ref?: string } };
  const contexts: Record<string, string> = {
    'github.token': token,
    'github.workspace': options.workspace,
    'github.repository': repository,
    'github.repository_owner': owner,
    'github.sha': sha,
    'github.ref': ref,
    'github.ref_name': refName,
    'github.ref_type': refType,
    'github.event_name': event,
    'github.server_url': 'https://github.com',
    'github.api_url': 'https://api.github.com',
    'github.actor': 'octocat',
    'github.run_id': '1000000001',
    'github.run_number': '7',
    'github.job': 'build',
    'runner.os': 'Linux',
    'runner.arch': 'X64',
    'runner.temp': runnerTemp,
    'runner.tool_cache': toolCache
  };

  const env = outerEnv();
  const noProxy = [env['NO_PROXY'], env['no_proxy'], '127.0.0.1,localhost'].filter(Boolean).join(',');
  Object.assign(env, {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION: '__slipway',
    GITHUB_ACTION_REPOSITORY: '',
    GITHUB_ACTOR: 'octocat',
    GITHUB_ACTOR_ID: '583231',
    GITHUB_TRIGGERING_ACTOR: 'octocat',
    // Tests reach only this machine: a closed loopback port unless a case gives its fake GitHub API
    // (options.env.GITHUB_API_URL); the real api.github.com is never called.
    GITHUB_API_URL: 'http://127.0.0.1:9',
    GITHUB_GRAPHQL_URL: 'https://api.github.com/graphql',
    // Must not be loopback: @actions/cache would think it is GHES and fall back to cache service v1.
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_JOB: 'build',
    GITHUB_REF: ref,
    GITHUB_REF_NAME: refName,
    GITHUB_REF_TYPE: refType,
    GITHUB_REF_PROTECTED: 'false',
    GITHUB_HEAD_REF: pr.head?.ref ?? '',
    GITHUB_BASE_REF: pr.base?.ref ?? '',
    GITHUB_REPOSITORY: repository,
    GITHUB_REPOSITORY_ID: '123456789',
    GITHUB_REPOSITORY_OWNER: owner,
    GITHUB_REPOSITORY_OWNER_ID: '1',
    GITHUB_RETENTION_DAYS: '90',
    GITHUB_RUN_ID: contexts['github.run_id'],
    GITHUB_RUN_NUMBER: contexts['github.run_number'],
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SHA: sha,
    GITHUB_WORKFLOW: 'CI',
    GITHUB_WORKFLOW_REF: `${repository}/.github/workflows/ci.yml@${ref}`,
    GITHUB_WORKSPACE: options.workspace,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'GitHub Actions 1',
    RUNNER_ENVIRONMENT: 'github-hosted',
    RUNNER_TEMP: runnerTemp,
    RUNNER_TOOL_CACHE: toolCache,
    NO_PROXY: noProxy,
    no_proxy: noProxy
  });
  if (options.cacheService) Object.assign(env, options.cacheService.env());

  // Inputs: defaults (expressions evaluated), then the step's `with:`.
  for (const [name, spec] of Object.entries(meta.inputs)) {
    if (spec.default !== undefined) env[inputEnvName(name)] = expandExpressions(spec.default, contexts, name);
  }
  // The vulnerability audit is off unless a test turns it on (pointing `audit-url` at a fake): no
  // test reaches the real api.osv.dev, and no run gains the warning of a database it cannot reach.
  if (meta.inputs['audit']) env[inputEnvName('audit')] = 'false';
  const declared = new Set(Object.keys(meta.inputs).map(inputEnvName));
  for (const [name, value] of Object.entries(options.inputs ?? {})) {
    const key = inputEnvName(name);
    if (!declared.has(key) && !options.allowUnexpectedInputs) {
      throw new Error(`input "${name}" is not declared in action.yml (declared: ${Object.keys(meta.inputs).join(', ')})`);
    }
    env[key] = String(value);
  }

  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Evaluates the `${{ context.name }}` expressions an input default may hold; anything else throws. */
function expandExpressions(value: string, contexts: Record<string, string>, input: string): string {
  return value.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_all, expr: string) => {
    const v = contexts[expr];
    if (v === undefined) throw new Error(`input "${input}": default expression \${{ ${expr} }} is not supported by the test runner`);
    return v;
  });
}

async function runStep(
  step: ActionResult['step'],
  entry: string,
  baseEnv: Record<string, string>,
  options: RunActionOptions,
  jobDir: string
): Promise<ActionResult> {
  const actionDir = options.actionDir ?? repoRoot();
  const script = path.resolve(actionDir, entry);
  if (!existsSync(script)) throw new Error(`${script} does not exist: build the bundle first (npm run bundle)`);

  // A fresh set of file-command files per step, like the runner's _runner_file_commands.
  const id = randomUUID();
  const files = {
    GITHUB_OUTPUT: path.join(jobDir, 'file-commands', `set_output_${id}`),
    GITHUB_STATE: path.join(jobDir, 'file-commands', `save_state_${id}`),
    GITHUB_ENV: path.join(jobDir, 'file-commands', `set_env_${id}`),
    GITHUB_PATH: path.join(jobDir, 'file-commands', `add_path_${id}`),
    GITHUB_STEP_SUMMARY: path.join(jobDir, 'file-commands', `step_summary_${id}`)
  };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const childEnv = { ...baseEnv, ...files };

  const node = options.node ?? process.env['SLIPWAY_E2E_NODE'] ?? process.execPath;
  const echo = options.echo ?? process.env['SLIPWAY_E2E_VERBOSE'] === '1';
  const timeoutMs = options.timeoutMs ?? 100_000;
  const started = Date.now();
  const child = spawn(node, [script], {
    cwd: options.workspace,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group, so a timeout can stop everything the action started (pip, docker, ...).
    detached: true
  });
  const pid = child.pid;
  options.onStart?.(child);
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => {
    stdout.push(c);
    options.onStdout?.(c.toString('utf8'), Date.now());
    if (echo) process.stderr.write(c);
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr.push(c);
    if (echo) process.stderr.write(c);
  });
  let timedOut = false;
  const killGroup = (signal: NodeJS.Signals): void => {
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup('SIGKILL');
  }, timeoutMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c, s) => resolve([c, s]));
  }).finally(() => clearTimeout(timer));
  // The runner kills what a job leaves running; do it per step so tests leak nothing.
  if (!options.leaveRunning || timedOut) killGroup('SIGKILL');

  const out = Buffer.concat(stdout).toString('utf8');
  const read = (f: string): string => (existsSync(f) ? readFileSync(f, 'utf8') : '');
  return {
    step,
    code,
    signal,
    timedOut,
    ok: code === 0 && !timedOut,
    stdout: out,
    stderr: Buffer.concat(stderr).toString('utf8'),
    ...parseWorkflowCommands(out),
    outputs: parseFileCommand(read(files.GITHUB_OUTPUT)),
    state: parseFileCommand(read(files.GITHUB_STATE)),
    env: parseFileCommand(read(files.GITHUB_ENV)),
    path: read(files.GITHUB_PATH)
      .split(/\r?\n/)
      .filter((l) => l.trim() !== ''),
    summary: read(files.GITHUB_STEP_SUMMARY),
    durationMs: Date.now() - started,
    childEnv: baseEnv,
    jobDir,
    runnerTemp: baseEnv['RUNNER_TEMP'] ?? '',
    options
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? deepMerge(b, v) : v;
  }
  return out;
}

/**
 * The test process's environment without jest's variables and the outer CI's (GITHUB_*, INPUT_*,
 * RUNNER_*, …): what a command the tests start should see, plus `extra`.
 */
export function outerEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(GITHUB_|INPUT_|STATE_|ACTIONS_|RUNNER_|npm_)/i.test(k)) continue;
    if (['NODE_OPTIONS', 'JEST_WORKER_ID', 'INIT_CWD', 'NODE_ENV', 'FORCE_COLOR'].includes(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** The lines of the `::group::` titled `<stage>` (or `<stage>: …`): what a user expands in the log. */
export function groupLines(result: ActionResult, stage: string): string[] {
  const lines = result.stdout.split(/\r?\n/);
  const start = lines.findIndex((line) => line === `::group::${stage}` || line.startsWith(`::group::${stage}:`));
  if (start < 0) throw new Error(`no ${stage} group in the log:\n${result.log}`);
  const end = lines.findIndex((line, i) => i > start && line === '::endgroup::');
  return lines.slice(start + 1, end < 0 ? undefined : end).filter((line) => !/^::stop-commands::[0-9a-f-]{36}$|^::[0-9a-f-]{36}::$/.test(line));
}
