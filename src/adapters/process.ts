// ProcessRunner over @actions/exec: argument arrays only, output captured, never echoed by itself.
import { getExecOutput } from '@actions/exec';
import type { ProcessRunner } from '../ports.js';

export const execRunner: ProcessRunner = {
  async run(command, args, options) {
    const started = Date.now();
    const env = options.env ? definedOnly(options.env) : undefined;
    const result = await getExecOutput(command, [...args], {
      cwd: options.cwd,
      env,
      input: options.input === undefined ? undefined : Buffer.from(options.input),
      silent: true,
      ignoreReturnCode: true,
      listeners: options.onLine && {
        stdline: (line) => options.onLine?.(line, 'stdout'),
        errline: (line) => options.onLine?.(line, 'stderr')
      }
    });
    return { code: result.exitCode, stdout: result.stdout, stderr: result.stderr, durationMs: Date.now() - started };
  }
};

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) out[name] = value;
  return out;
}
