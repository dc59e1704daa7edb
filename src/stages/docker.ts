// The docker CLI as the image and deploy stages use it: every call runs in the registry session's
// environment (its private DOCKER_CONFIG once logged in) and is recorded in a stage log.
import { SlipwayError, describeError } from '../errors.js';
import type { RunResult } from '../ports.js';
import type { StageLog } from '../stage-log.js';

/** Where docker commands run: the env (with the private DOCKER_CONFIG once logged in) and a log. */
export interface RegistrySession {
  registry: string;
  /** Environment of every docker call of the run. */
  env: Record<string, string | undefined>;
  /** True when Slipway logged in with registry-username/password (a private DOCKER_CONFIG). */
  loggedIn: boolean;
  /** Receives the login and logout lines. */
  log: StageLog;
  /** Whether `docker buildx` works; probed once per session. */
  buildx?: boolean;
}

/**
 * Runs docker with the session's env (and so its DOCKER_CONFIG), recording it in `log` (default: the
 * session's); a missing docker is a clear error.
 */
export async function docker(
  session: RegistrySession,
  args: readonly string[],
  options: { cwd: string; input?: string; env?: Record<string, string | undefined>; log?: StageLog; shownArgs?: readonly string[] }
): Promise<RunResult> {
  try {
    const log = options.log ?? session.log;
    return await log.run('docker', args, { cwd: options.cwd, input: options.input, env: { ...session.env, ...options.env }, shownArgs: options.shownArgs });
  } catch (error) {
    throw new SlipwayError(`Could not run docker (${describeError(error)}). Install the Docker CLI and make sure the engine is reachable (DOCKER_HOST).`);
  }
}

/** Whether `docker buildx` works here (real runners: yes; podman's Docker API: no). Probed once. */
export async function hasBuildx(session: RegistrySession, cwd: string): Promise<boolean> {
  if (session.buildx === undefined) {
    const version = await docker(session, ['buildx', 'version'], { cwd });
    session.buildx = version.code === 0;
  }
  return session.buildx;
}

/** `<tag>: digest: sha256:<hex> size: N`, as the classic push prints it. */
export function pushedDigest(output: string): string | undefined {
  return /: digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(output)?.[1];
}

/** `sha256:0123456789ab`: enough to recognise, short enough for a headline. */
export function shortDigest(digest: string): string {
  return digest.slice(0, 'sha256:'.length + 12);
}

/** The line of docker's output that says what went wrong: the last one, less warnings and a final full stop. */
export function lastLine(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^(WARNING|DEPRECATED)/.test(line));
  return (lines[lines.length - 1] ?? '').replace(/\.$/, '');
}
