// Host over a process environment: programs looked up on its PATH, the variables plans build on.
import type { Ports, RunContext } from '../context.js';
import type { Host } from '../ports.js';
import { diskFiles } from './files.js';
import { onPath } from './process.js';

export function processHost(env: Readonly<Record<string, string | undefined>>): Host {
  return {
    which: (program) => onPath(program, env.PATH ?? ''),
    env: { PATH: env.PATH, NODE_OPTIONS: env.NODE_OPTIONS }
  };
}

/** This machine's files (the project and the run's folders writable) and host, for one run. */
export function machinePorts(context: RunContext, projectDir: string, env: Readonly<Record<string, string | undefined>>): Pick<Ports, 'files' | 'host'> {
  return { files: diskFiles([context.repositoryRoot, projectDir, context.stateDir, context.tempDir]), host: processHost(env) };
}
