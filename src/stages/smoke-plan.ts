// The smoke test's decisions, without I/O: which exposed port to probe, where the engine published it,
// the `docker run` line, and when to poll again.

/** The file in the run folder naming the smoke test's container while it lives (for a cancel or the post step). */
export const SMOKE_CONTAINER_FILE = 'smoke-container';

/** A container id as `docker run -d` prints it. */
export const CONTAINER_ID = /^[0-9a-f]{12,64}$/;

/** `8080/tcp` and friends, as `docker image inspect` lists them under `.Config.ExposedPorts`. */
export interface ExposedPort {
  port: number;
  protocol: string;
}

/**
 * The ports an image exposes, from `docker image inspect --format '{{json .Config.ExposedPorts}}'`
 * (`{"8080/tcp":{}}`, `null` or empty when none), lowest first, TCP only (HTTP needs TCP).
 */
export function exposedPorts(inspectJson: string): ExposedPort[] {
  const text = inspectJson.trim();
  if (text === '' || text === 'null' || text === '<no value>') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (parsed === null || typeof parsed !== 'object') return [];
  return Object.keys(parsed)
    .map((key) => /^(\d+)(?:\/(\w+))?$/.exec(key))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ port: Number(match[1]), protocol: (match[2] ?? 'tcp').toLowerCase() }))
    .filter((entry) => entry.protocol === 'tcp' && entry.port > 0 && entry.port < 65536)
    .sort((a, b) => a.port - b.port);
}

/**
 * The host port published for `containerPort` in `docker port <id>` output, lines like
 * `8080/tcp -> 0.0.0.0:32768`, `8080/tcp -> [::]:32768`, `8080/tcp -> 127.0.0.1:32768` or (podman
 * with the host's network) `8080/tcp -> :32768`. An IPv4 or unnamed binding is preferred (the probe goes to 127.0.0.1); an IPv6-only one still names the port.
 */
export function publishedPort(dockerPortOutput: string, containerPort: number): number | undefined {
  let ipv6: number | undefined;
  for (const raw of dockerPortOutput.split(/\r?\n/)) {
    const match = /^(\d+)(?:\/(\w+))?\s*->\s*(\S*):(\d+)$/.exec(raw.trim());
    if (!match || Number(match[1]) !== containerPort || (match[2] ?? 'tcp').toLowerCase() !== 'tcp') continue;
    const port = Number(match[4]);
    if (!(port > 0 && port < 65536)) continue;
    if (match[3]!.startsWith('[') || match[3]!.includes(':')) ipv6 ??= port;
    else return port;
  }
  return ipv6;
}

/**
 * `docker run` for the smoke test: detached, every exposed port published on a free host port, and
 * nothing of the run inside (no environment, no mounted Docker config: no registry credentials).
 */
export function smokeRunArgs(reference: string): string[] {
  return ['run', '-d', '-P', reference];
}

/** The probe's URL on this machine. */
export function smokeUrl(hostPort: number, path: string): string {
  return `http://127.0.0.1:${hostPort}${path}`;
}

/** Pause before poll `n` (0-based): quick at first, while the server starts, then every 2 s. */
export function smokePollDelay(n: number): number {
  return Math.min(250 * 2 ** n, 2000);
}

/** Whether a container state from `docker inspect --format '{{.State.Status}} {{.State.ExitCode}}'` still runs. */
export function containerState(inspectOutput: string): { running: boolean; exitCode?: number; status: string } {
  const [status = 'unknown', code] = inspectOutput.trim().split(/\s+/);
  const running = status === 'running' || status === 'created';
  return { running, status, exitCode: running || code === undefined || !/^-?\d+$/.test(code) ? undefined : Number(code) };
}
