// The registry login: once per run, around everything that pushes or reads the registry (build and
// push, the deploy's healthy tag), in a private DOCKER_CONFIG under the run's temp dir.
import type { Config } from '../config.js';
import type { RunContext } from '../context.js';
import { SlipwayError, describeError } from '../errors.js';
import type { Host, Reporter } from '../ports.js';
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
  ports: { reporter: Reporter; host: Host },
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

  const dockerConfig = ports.host.dockerConfig(context.tempDir);
  const session: RegistrySession = { registry, env: { DOCKER_CONFIG: dockerConfig.path }, loggedIn: true, log };
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
      ports.reporter.debug(`docker logout failed: ${describeError(error)}`);
    }
    dockerConfig.remove();
  }
}

/** Docker as it is configured already: no login, the ambient Docker config. */
export function ambientSession(config: Config, log: StageLog): RegistrySession {
  return { registry: registryOf(config.image ?? ''), env: {}, loggedIn: false, log };
}
