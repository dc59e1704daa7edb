// The registry login: once per run, around everything that pushes or reads the registry (build and
// push, the deploy's healthy tag), in a private DOCKER_CONFIG under the run's temp dir.
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { RunContext } from '../context.js';
import { SlipwayError, describeError } from '../errors.js';
import type { Reporter } from '../ports.js';
import type { StageLog } from '../stage-log.js';
import { docker, lastLine, type RegistrySession } from './docker.js';
import { registryOf } from './image-name.js';

/**
 * Runs `fn` with docker logged in to the image's registry in a private DOCKER_CONFIG (under the run's
 * temp dir), so credentials never reach the user's ~/.docker; logs out and removes it afterwards.
 * Without registry-username/password it uses the Docker credentials already configured (e.g. by
 * docker/login-action). A refused login throws one SlipwayError naming the registry.
 */
export async function withRegistryLogin<T>(
  config: Config,
  context: RunContext,
  reporter: Reporter,
  log: StageLog,
  fn: (session: RegistrySession) => Promise<T>
): Promise<T> {
  const registry = registryOf(config.image ?? '');
  const { registryUsername: username, registryPassword: password } = config;
  // config.ts makes sure both or neither are given.
  if (!username || !password) {
    log.write(`No registry-username/registry-password given: using the Docker credentials already configured for ${registry}.`);
    return fn(ambientSession(config, log));
  }

  const dockerConfig = privateDockerConfig(context.tempDir);
  const session: RegistrySession = { registry, env: { DOCKER_CONFIG: dockerConfig }, loggedIn: true, log };
  try {
    // The password goes through stdin only: never in argv, the env or the log.
    const login = await docker(session, ['login', '--username', username, '--password-stdin', registry], { cwd: context.tempDir, input: password });
    if (login.code !== 0) {
      throw new SlipwayError(
        `Could not log in to registry ${registry} as ${username}: ${lastLine(login.stderr || login.stdout) || `docker login exited with ${login.code}`}. ` +
          'Check `registry-username` and `registry-password` (a token with permission to push). Nothing was pushed.'
      );
    }
    return await fn(session);
  } finally {
    try {
      await docker(session, ['logout', registry], { cwd: context.tempDir });
    } catch (error) {
      reporter.debug(`docker logout failed: ${describeError(error)}`);
    }
    rmSync(dockerConfig, { recursive: true, force: true });
  }
}

/** Docker as it is configured already: no login, the ambient Docker config. */
export function ambientSession(config: Config, log: StageLog): RegistrySession {
  return { registry: registryOf(config.image ?? ''), env: {}, loggedIn: false, log };
}

/**
 * A fresh Docker config directory holding no credentials. CLI plugins (buildx), builder instances and
 * contexts of the user's own config are linked in, and its current context and proxies copied, so the
 * same engine and builder are used; auths, credsStore and credHelpers are not.
 */
function privateDockerConfig(tempDir: string): string {
  const dir = mkdtempSync(join(tempDir, 'docker-config-'));
  const ambient = process.env.DOCKER_CONFIG || join(homedir(), '.docker');
  for (const name of ['cli-plugins', 'buildx', 'contexts']) {
    const source = join(ambient, name);
    if (existsSync(source)) {
      try {
        symlinkSync(source, join(dir, name));
      } catch {
        // a missing plugin only means the classic builder is used
      }
    }
  }
  const settings: Record<string, unknown> = {};
  try {
    const own = JSON.parse(readFileSync(join(ambient, 'config.json'), 'utf8')) as Record<string, unknown>;
    for (const key of ['currentContext', 'proxies']) if (own[key] !== undefined) settings[key] = own[key];
  } catch {
    // no readable config of the user's: defaults
  }
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(settings)}\n`, { mode: 0o600 });
  return dir;
}
