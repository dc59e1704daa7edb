// Host over a process environment: programs looked up on its PATH, the variables plans build on.
import type { Ports, RunContext } from '../context.js';
import type { Host } from '../ports.js';
import { cacheServiceVariables } from '../trust/child-env.js';
import { privateDockerConfig } from './docker-config.js';
import { diskFiles } from './files.js';
import { onPath } from './process.js';

export function processHost(env: Readonly<Record<string, string | undefined>>): Host {
  const cacheService = env.ACTIONS_RUNTIME_TOKEN && (env.ACTIONS_RESULTS_URL || env.ACTIONS_CACHE_URL) ? cacheServiceVariables(env) : undefined;
  return {
    which: (program) => onPath(program, env.PATH ?? ''),
    env: { PATH: env.PATH, NODE_OPTIONS: env.NODE_OPTIONS, SLIPWAY_TEST_HOOK_TIMEOUT_SECONDS: env.SLIPWAY_TEST_HOOK_TIMEOUT_SECONDS },
    cacheService,
    dockerConfig: (inDir) => privateDockerConfig(inDir, env.DOCKER_CONFIG)
  };
}

/** This machine's files (the project and the run's folders writable) and host, for one run. */
export function machinePorts(context: RunContext, projectDir: string, env: Readonly<Record<string, string | undefined>>): Pick<Ports, 'files' | 'host'> {
  return { files: diskFiles([context.repositoryRoot, projectDir, context.stateDir, context.tempDir]), host: processHost(env) };
}
