// Child processes with wall-clock timing, and small file-system helpers.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, lstatSync } from 'node:fs';
import { join } from 'node:path';

/** A copy of this process's environment without what belongs to an outer CI job or to npm. */
export function cleanEnv(extra = {}) {
  const env = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || /^(GITHUB_|INPUT_|STATE_|ACTIONS_|RUNNER_|npm_)/i.test(name)) continue;
    if (['NODE_OPTIONS', 'INIT_CWD', 'SLIPWAY_BENCH_TRACE'].includes(name)) continue;
    env[name] = value;
  }
  return { ...env, ...extra };
}

/**
 * Runs a command; resolves with its exit code, wall time (spawn → close, ms), time to its first byte
 * of stdout and its output. Never rejects on a non-zero exit (the caller checks `code`).
 */
export function run(command, args, { cwd, env, timeoutMs = 900_000 } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const ms = () => Number(process.hrtime.bigint() - started) / 1e6;
    const child = spawn(command, args, { cwd, env: env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    let firstOutputMs;
    child.stdout.on('data', (chunk) => {
      firstOutputMs ??= ms();
      out.push(chunk);
    });
    child.stderr.on('data', (chunk) => err.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ms: ms(), firstOutputMs, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** Like run() but throws when the command fails, showing the end of its output. */
export async function mustRun(command, args, options) {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-25).join('\n');
    throw new Error(`\`${[command, ...args].join(' ')}\` exited with ${result.code ?? result.signal}:\n${tail}`);
  }
  return result;
}

/** The JSON a helper script prints on its `BENCH_RESULT ` line. */
export function benchResult(result, what) {
  const line = result.stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('BENCH_RESULT '));
  if (result.code !== 0 || !line) {
    throw new Error(`${what} failed (exit ${result.code}):\n${`${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-25).join('\n')}`);
  }
  return JSON.parse(line.slice('BENCH_RESULT '.length));
}

/** Empties `dir` (creating it when missing), keeping its path. */
export function emptyDir(dir) {
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir)) rmSync(join(dir, name), { recursive: true, force: true });
}

/** Bytes (apparent sizes) and number of files below `dir`. */
export function treeSize(dir) {
  let bytes = 0;
  let files = 0;
  const walk = (path) => {
    const stat = lstatSync(path);
    if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
    else {
      bytes += stat.size;
      files++;
    }
  };
  walk(dir);
  return { bytes, files };
}
