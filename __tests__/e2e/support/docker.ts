// Real Docker parts for end-to-end tests, on a machine without a Docker daemon or Docker Hub:
// - podman serves the Docker Engine API on a private unix socket (the real `docker` CLI talks to it);
// - the CNCF distribution registry (`docker-registry`) listens on a free 127.0.0.1 port with htpasswd
//   auth and a self-signed TLS certificate, which podman trusts through
//   /etc/containers/certs.d/127.0.0.1:PORT/ca.crt (removed on stop);
// - on request, a second registry without TLS or auth (plain HTTP), marked insecure for podman in its
//   registries.conf (`docker login` to it is refused, so it is used without credentials).
// Everything lives in one temporary directory; both servers are stopped by process id.
// Needs root and the packages of scripts/install-test-deps.sh.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface DockerServices {
  /** The private directory holding sockets, configuration, storage and logs. */
  dir: string;
  /** `unix:///…/podman.sock`, the value of DOCKER_HOST. */
  dockerHost: string;
  /** `127.0.0.1:PORT`, for image names and `docker login`. */
  registry: string;
  username: string;
  password: string;
  /** The registry's self-signed certificate (PEM file). */
  caCertPath: string;
  /**
   * process.env plus DOCKER_HOST, DOCKER_BUILDKIT=0, CONTAINERS_CONF, CONTAINERS_REGISTRIES_CONF,
   * CONTAINERS_STORAGE_CONF, an empty private DOCKER_CONFIG (not logged in), NO_PROXY for loopback
   * and NODE_EXTRA_CA_CERTS (the registry certificate).
   */
  env: NodeJS.ProcessEnv;
  /** How long starting both services took. */
  startupMs: number;
  /** Runs the docker CLI against the service with `env` (plus `extraEnv`). */
  docker(args: readonly string[], options?: { input?: string; extraEnv?: NodeJS.ProcessEnv; cwd?: string }): Promise<CommandResult>;
  /** Tags of `repo` in the registry, sorted; [] when the repository does not exist. */
  tags(repo: string): Promise<string[]>;
  /** sha256 digest of the manifest `repo:tag` as stored (checked against Docker-Content-Digest). */
  manifestDigest(repo: string, tag: string): Promise<string>;
  /**
   * Builds a tiny base image (FROM scratch + a static busybox, installed by a RUN step) and pushes
   * it as `<registry>/base:latest`; returns that reference. Done once per services instance.
   */
  pushBaseImage(): Promise<string>;
  /** The plain-HTTP registry, when started with `plainRegistry: true`. */
  plain?: RegistryReads;
  /** The last lines of both servers' logs, for failure messages. */
  logs(): string;
  /** Stops both servers by process id, removes the trust entry and the directory. Idempotent. */
  stop(): Promise<void>;
}

/** Reads of a registry, for assertions. */
export interface RegistryReads {
  /** `127.0.0.1:PORT` */
  registry: string;
  /** Tags of `repo` in the registry, sorted; [] when the repository does not exist. */
  tags(repo: string): Promise<string[]>;
  /** sha256 digest of the manifest `repo:tag` as stored (checked against Docker-Content-Digest). */
  manifestDigest(repo: string, tag: string): Promise<string>;
}

export interface StartOptions {
  username?: string;
  password?: string;
  /** Also start a registry without TLS or auth (`plain`). */
  plainRegistry?: boolean;
  /** How long to wait for both servers to answer. */
  timeoutMs?: number;
}

const REQUIRED = ['podman', 'runc', 'docker-registry', 'htpasswd', 'openssl', 'docker'];
const BUSYBOX = '/bin/busybox';
const CERTS_D = '/etc/containers/certs.d';

function which(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** What is missing for startDockerServices; [] when it can run. */
export function missingDockerPrerequisites(): string[] {
  const missing = REQUIRED.filter((command) => !which(command));
  if (!existsSync(BUSYBOX)) missing.push(`${BUSYBOX} (busybox-static)`);
  if (process.getuid?.() !== 0) missing.push('root (podman as root, and /etc/containers/certs.d)');
  return missing;
}

/** Runs a program (never through a shell) and collects its output. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string; timeoutMs?: number } = {}
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe']
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.on('error', () => undefined); // the child may exit before reading its input
    child.stdin.end(options.input ?? '');
  });
}

async function mustRun(command: string, args: readonly string[], options: Parameters<typeof runCommand>[2] = {}): Promise<CommandResult> {
  const result = await runCommand(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.stderr || result.stdout}`);
  }
  return result;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function tail(path: string, lines = 20): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** One HTTP(S) request; resolves with status, headers and body, rejects on a connection error. */
function request(
  options: http.RequestOptions & { secure?: boolean; ca?: string | Buffer }
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const { secure, ...rest } = options;
    const send = secure ? https.request : http.request;
    const req = send({ timeout: 5000, agent: false, ...rest }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

async function waitUntil(what: string, check: () => Promise<boolean>, deadline: number, exited: () => string | undefined): Promise<void> {
  for (;;) {
    const gone = exited();
    if (gone) throw new Error(`${what} exited before answering: ${gone}`);
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${what} did not answer in time`);
    await sleep(50);
  }
}

function startDaemon(command: string, args: readonly string[], env: NodeJS.ProcessEnv, logPath: string, cwd: string): ChildProcess {
  const log = openSync(logPath, 'a');
  try {
    return spawn(command, args, { env, cwd, stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
}

async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  if (child.pid === undefined || !running()) return;
  const pid = child.pid;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      if (running()) process.kill(pid, 'SIGKILL');
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    process.kill(pid, 'SIGTERM');
  });
}

function withNoProxy(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const loopback = ['127.0.0.1', 'localhost'];
  const merge = (value: string | undefined): string =>
    [
      ...new Set([
        ...(value ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        ...loopback
      ])
    ].join(',');
  return { ...env, NO_PROXY: merge(env.NO_PROXY ?? env.no_proxy), no_proxy: merge(env.no_proxy ?? env.NO_PROXY) };
}

/** The nofile/nproc limits podman may set for containers: it may not raise them above ours. */
function containerUlimits(): string[] {
  const hard = (flag: string, fallback: number): number => {
    const result = spawnSync('sh', ['-c', `ulimit -H${flag}`], { encoding: 'utf8' });
    const value = Number(result.stdout.trim());
    return Number.isFinite(value) && value > 0 ? value : fallback; // "unlimited" → fallback
  };
  const nofile = Math.min(hard('n', 65_536), 65_536);
  const nproc = Math.min(hard('u', 4096), 4096);
  return [`nofile=${nofile}:${nofile}`, `nproc=${nproc}:${nproc}`];
}

/** Starts podman's Docker API service and an authenticated TLS registry on 127.0.0.1. */
export async function startDockerServices(options: StartOptions = {}): Promise<DockerServices> {
  const missing = missingDockerPrerequisites();
  if (missing.length > 0) {
    throw new Error(`Docker e2e prerequisites missing: ${missing.join(', ')}. Run: sudo bash scripts/install-test-deps.sh`);
  }
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? 30_000);
  const username = options.username ?? 'slipway';
  const password = options.password ?? `pw-${randomBytes(12).toString('hex')}`;
  const dir = await mkdtemp(join(tmpdir(), 'slipway-docker-'));
  const path = (...parts: string[]): string => join(dir, ...parts);
  const children: ChildProcess[] = [];
  let certsDir: string | undefined;
  let stopped = false;

  const killOnExit = (): void => {
    for (const child of children) {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  };
  process.once('exit', killOnExit);

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    await Promise.all(children.map((child) => stopProcess(child)));
    if (certsDir) await rm(certsDir, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  };

  try {
    const port = await freePort();
    const registry = `127.0.0.1:${port}`;
    const plainPort = options.plainRegistry ? await freePort() : undefined;
    await Promise.all(['storage', 'run', 'tmp', 'registry-data', 'docker-config', 'support-docker-config'].map((d) => mkdir(path(d))));

    // TLS certificate for 127.0.0.1 and the htpasswd file (password through stdin, not argv).
    await mustRun('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      path('registry.key'),
      '-out',
      path('registry.crt'),
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1'
    ]);
    const htpasswd = await mustRun('htpasswd', ['-niB', username], { input: `${password}\n` });
    await writeFile(path('htpasswd'), htpasswd.stdout);
    certsDir = join(CERTS_D, registry);
    await mkdir(certsDir, { recursive: true });
    await copyFile(path('registry.crt'), join(certsDir, 'ca.crt'));

    await writeFile(
      path('registry.yml'),
      [
        'version: 0.1',
        'log:',
        '  level: info',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${path('registry-data')}`,
        '  delete:',
        '    enabled: true',
        'http:',
        `  addr: ${registry}`,
        `  secret: ${randomBytes(16).toString('hex')}`,
        '  tls:',
        `    certificate: ${path('registry.crt')}`,
        `    key: ${path('registry.key')}`,
        'auth:',
        '  htpasswd:',
        '    realm: slipway-test',
        `    path: ${path('htpasswd')}`,
        ''
      ].join('\n')
    );

    // podman: runc (crun cannot RUN here), cgroupfs, host network (no bridge, no iptables rules),
    // file locks in its private tmp dir (so several instances do not share /dev/shm locks), limits
    // within ours (runc may not raise them: "error setting rlimits … operation not permitted").
    await writeFile(
      path('containers.conf'),
      [
        '[containers]',
        'netns = "host"',
        `default_ulimits = [${containerUlimits()
          .map((u) => `"${u}"`)
          .join(', ')}]`,
        '[engine]',
        'cgroup_manager = "cgroupfs"',
        'runtime = "runc"',
        'events_logger = "file"',
        'lock_type = "file"',
        ''
      ].join('\n')
    );
    const insecure = plainPort ? `[[registry]]\nlocation = "127.0.0.1:${plainPort}"\ninsecure = true\n` : '';
    await writeFile(path('registries.conf'), `unqualified-search-registries = []\n${insecure}`);
    if (plainPort) {
      await mkdir(path('plain-registry-data'));
      await writeFile(
        path('plain-registry.yml'),
        [
          'version: 0.1',
          'log:',
          '  level: info',
          'storage:',
          '  filesystem:',
          `    rootdirectory: ${path('plain-registry-data')}`,
          'http:',
          `  addr: 127.0.0.1:${plainPort}`,
          ''
        ].join('\n')
      );
    }
    await writeFile(path('storage.conf'), ['[storage]', 'driver = "vfs"', `graphroot = "${path('storage')}"`, `runroot = "${path('run')}"`, ''].join('\n'));

    const socket = path('podman.sock');
    const podmanEnv: NodeJS.ProcessEnv = withNoProxy({
      ...process.env,
      CONTAINERS_CONF: path('containers.conf'),
      CONTAINERS_REGISTRIES_CONF: path('registries.conf'),
      CONTAINERS_STORAGE_CONF: path('storage.conf'),
      TMPDIR: path('tmp')
    });

    const registryProcess = startDaemon('docker-registry', ['serve', path('registry.yml')], process.env, path('registry.log'), dir);
    children.push(registryProcess);
    const plainProcess = plainPort
      ? startDaemon('docker-registry', ['serve', path('plain-registry.yml')], process.env, path('plain-registry.log'), dir)
      : undefined;
    if (plainProcess) children.push(plainProcess);
    const podman = startDaemon(
      'podman',
      [
        '--storage-driver',
        'vfs',
        '--root',
        path('storage'),
        '--runroot',
        path('run'),
        '--tmpdir',
        path('tmp'),
        'system',
        'service',
        '--time=0',
        `unix://${socket}`
      ],
      podmanEnv,
      path('podman.log'),
      dir
    );
    children.push(podman);

    const exitedText = (child: ChildProcess, log: string) => (): string | undefined =>
      child.exitCode !== null || child.signalCode !== null ? `exit ${child.exitCode ?? child.signalCode}\n${tail(log)}` : undefined;
    const ca = readFileSync(path('registry.crt'));
    await Promise.all([
      waitUntil(
        'podman system service',
        async () => (await request({ socketPath: socket, path: '/_ping', method: 'GET' })).status === 200,
        deadline,
        exitedText(podman, path('podman.log'))
      ),
      waitUntil(
        'docker-registry',
        // Up and enforcing auth: /v2/ without credentials answers 401.
        async () => (await request({ secure: true, host: '127.0.0.1', port, path: '/v2/', method: 'GET', ca })).status === 401,
        deadline,
        exitedText(registryProcess, path('registry.log'))
      ),
      plainProcess &&
        waitUntil(
          'plain docker-registry',
          async () => (await request({ host: '127.0.0.1', port: plainPort, path: '/v2/', method: 'GET' })).status === 200,
          deadline,
          exitedText(plainProcess, path('plain-registry.log'))
        )
    ]);

    const env: NodeJS.ProcessEnv = withNoProxy({
      ...process.env,
      DOCKER_HOST: `unix://${socket}`,
      DOCKER_BUILDKIT: '0',
      DOCKER_CONFIG: path('docker-config'),
      CONTAINERS_CONF: path('containers.conf'),
      CONTAINERS_REGISTRIES_CONF: path('registries.conf'),
      CONTAINERS_STORAGE_CONF: path('storage.conf'),
      NODE_EXTRA_CA_CERTS: path('registry.crt')
    });
    const supportEnv: NodeJS.ProcessEnv = { ...env, DOCKER_CONFIG: path('support-docker-config') };
    const authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

    const reads = (registryPort: number, secure: boolean): RegistryReads => {
      const get = (urlPath: string, headers: http.OutgoingHttpHeaders = {}) =>
        request({
          secure,
          host: '127.0.0.1',
          port: registryPort,
          path: urlPath,
          method: 'GET',
          ...(secure ? { ca, headers: { Authorization: authorization, ...headers } } : { headers })
        });
      return {
        registry: `127.0.0.1:${registryPort}`,
        async tags(repo) {
          const response = await get(`/v2/${repo}/tags/list`);
          if (response.status === 404) return [];
          if (response.status !== 200) throw new Error(`tags/list of ${repo}: HTTP ${response.status} ${response.body.toString()}`);
          const parsed = JSON.parse(response.body.toString()) as { tags?: string[] | null };
          return [...(parsed.tags ?? [])].sort();
        },
        async manifestDigest(repo, tag) {
          const response = await get(`/v2/${repo}/manifests/${tag}`, {
            Accept: [
              'application/vnd.oci.image.index.v1+json',
              'application/vnd.oci.image.manifest.v1+json',
              'application/vnd.docker.distribution.manifest.list.v2+json',
              'application/vnd.docker.distribution.manifest.v2+json'
            ].join(', ')
          });
          if (response.status !== 200) throw new Error(`manifest ${repo}:${tag}: HTTP ${response.status} ${response.body.toString()}`);
          const digest = `sha256:${createHash('sha256').update(response.body).digest('hex')}`;
          const header = response.headers['docker-content-digest'];
          if (header !== undefined && header !== digest) {
            throw new Error(`manifest ${repo}:${tag}: body hashes to ${digest} but the registry says ${String(header)}`);
          }
          return digest;
        }
      };
    };
    const tlsReads = reads(port, true);

    const docker: DockerServices['docker'] = (args, opts = {}) =>
      runCommand('docker', args, { env: { ...env, ...opts.extraEnv }, input: opts.input, cwd: opts.cwd ?? dir, timeoutMs: 300_000 });

    let baseImage: Promise<string> | undefined;
    const pushBaseImage = (): Promise<string> => {
      baseImage ??= (async () => {
        const context = path('base-image');
        await mkdir(context);
        await copyFile(BUSYBOX, join(context, 'busybox'));
        await writeFile(
          join(context, 'Dockerfile'),
          [
            'FROM scratch',
            'COPY busybox /bin/busybox',
            // Exec form: there is no shell yet. This RUN needs a working runtime (runc).
            'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
            'ENV PATH=/usr/local/bin:/usr/bin:/bin',
            'CMD ["/bin/sh"]',
            ''
          ].join('\n')
        );
        const reference = `${registry}/base:latest`;
        const run = (args: string[], input?: string) => mustRun('docker', args, { env: supportEnv, input, cwd: context, timeoutMs: 300_000 });
        await run(['login', '--username', username, '--password-stdin', registry], password);
        await run(['build', '-t', reference, '.']);
        await run(['push', reference]);
        return reference;
      })();
      return baseImage;
    };

    return {
      dir,
      dockerHost: `unix://${socket}`,
      registry,
      username,
      password,
      caCertPath: path('registry.crt'),
      env,
      startupMs: Date.now() - started,
      docker,
      tags: tlsReads.tags,
      manifestDigest: tlsReads.manifestDigest,
      plain: plainPort ? reads(plainPort, false) : undefined,
      pushBaseImage,
      logs: () =>
        `--- podman ---\n${tail(path('podman.log'))}\n--- registry ---\n${tail(path('registry.log'))}${plainPort ? `\n--- plain registry ---\n${tail(path('plain-registry.log'))}` : ''}`,
      stop
    };
  } catch (error) {
    const logs = `--- podman ---\n${tail(path('podman.log'))}\n--- registry ---\n${tail(path('registry.log'))}`;
    await stop();
    throw new Error(`${(error as Error).message}\n${logs}`, { cause: error });
  }
}

/** What the runner gives a step on the test machine: the Docker engine, registry trust and proxy settings. */
export function dockerStepEnv(services: DockerServices): Record<string, string> {
  const names = [
    'DOCKER_HOST',
    'DOCKER_CONFIG',
    'CONTAINERS_CONF',
    'CONTAINERS_REGISTRIES_CONF',
    'CONTAINERS_STORAGE_CONF',
    'NODE_EXTRA_CA_CERTS',
    'NO_PROXY',
    'no_proxy'
  ];
  const env: Record<string, string> = {};
  for (const name of names) if (services.env[name] !== undefined) env[name] = services.env[name]!;
  return env;
}
