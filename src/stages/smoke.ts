// The smoke test: start the image just built, probe `smoke-path` on its exposed port until it answers
// 2xx or `smoke-timeout` passes, and always remove the container. Its id waits in the run folder while
// it lives, so the post step can remove it after a cancel (leftovers.ts). Decisions in smoke-plan.ts.
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Ports, RunContext } from '../context.js';
import { SlipwayError, describeError } from '../errors.js';
import { formatDuration } from '../format.js';
import { docker, lastLine, type RegistrySession } from './docker.js';
import { CONTAINER_ID, containerState, exposedPorts, publishedPort, SMOKE_CONTAINER_FILE, smokePollDelay, smokeRunArgs, smokeUrl } from './smoke-plan.js';

const LOG_LINES = 30;
const PROBE_TIMEOUT_MS = 5000;

export type SmokePorts = Ports & { sleep?: (ms: number) => Promise<void> };

/** Runs the smoke test of `reference`; throws a SlipwayError saying why it failed. Returns what passed. */
export async function smokeTest(config: Config, context: RunContext, ports: SmokePorts, session: RegistrySession, reference: string): Promise<string> {
  const path = config.smokePath!;
  const cwd = config.workingDirectory;
  const inspect = await docker(session, ['image', 'inspect', '--format', '{{json .Config.ExposedPorts}}', reference], { cwd });
  if (inspect.code !== 0) throw new SlipwayError(`Smoke test: docker image inspect ${reference} failed: ${lastLine(inspect.stderr || inspect.stdout)}.`);
  const [exposed] = exposedPorts(inspect.stdout);
  if (!exposed) {
    throw new SlipwayError(
      `Smoke test: the image exposes no TCP port, so \`smoke-path\` ${path} cannot be probed. Add \`EXPOSE <port>\` to the Dockerfile (the port the server listens on), or remove \`smoke-path\`.`
    );
  }
  const run = await docker(session, smokeRunArgs(reference), { cwd });
  const id = run.stdout.trim().split(/\s+/).pop() ?? '';
  if (run.code !== 0 || !CONTAINER_ID.test(id)) {
    if (CONTAINER_ID.test(id)) await remove(session, cwd, id);
    throw new SlipwayError(`Smoke test: docker run ${reference} failed (exit ${run.code}): ${lastLine(run.stderr || run.stdout)}.`);
  }
  const idFile = join(context.tempDir, SMOKE_CONTAINER_FILE);
  ports.files.write(idFile, `${id}\n`);
  try {
    return await probe(config, ports, session, id, exposed.port);
  } finally {
    await remove(session, cwd, id);
    ports.files.remove(idFile);
  }
}

async function probe(config: Config, ports: SmokePorts, session: RegistrySession, id: string, containerPort: number): Promise<string> {
  const cwd = config.workingDirectory;
  const sleep = ports.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const began = Date.now();
  const limitMs = config.smokeTimeoutSeconds * 1000;
  let slept = 0; // with a fake sleep (tests) the wall clock does not move
  const elapsed = (): number => Math.max(Date.now() - began, slept);
  let url: string | undefined;
  let last: string;
  for (let n = 0; ; n++) {
    const state = containerState((await docker(session, ['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', id], { cwd })).stdout);
    if (!state.running) {
      throw await failure(
        session,
        cwd,
        id,
        `Smoke test failed: the container stopped (${state.exitCode === undefined ? state.status : `exit code ${state.exitCode}`}) before ${config.smokePath} answered 2xx.`
      );
    }
    if (url === undefined) {
      const hostPort = publishedPort((await docker(session, ['port', id], { cwd })).stdout, containerPort);
      if (hostPort !== undefined) url = smokeUrl(hostPort, config.smokePath!);
    }
    if (url !== undefined) {
      try {
        const response = await ports.http.request('GET', url, {
          timeoutMs: Math.max(1000, Math.min(PROBE_TIMEOUT_MS, limitMs - elapsed())),
          redirects: 'same-origin'
        });
        last = `answered ${response.status}`;
        if (response.status >= 200 && response.status <= 299) {
          session.log.write(`Smoke test passed: GET ${url} ${last} after ${formatDuration(elapsed())}.`);
          return `smoke test passed: ${config.smokePath} answered ${response.status}`;
        }
      } catch (error) {
        last = `could not be reached (${describeError(error)})`;
      }
      session.log.write(`GET ${url}: ${last} (poll ${n + 1})`);
    } else {
      last = 'is not published on the host (`docker port` shows no mapping)';
    }
    if (elapsed() + smokePollDelay(n) > limitMs) {
      throw await failure(
        session,
        cwd,
        id,
        `Smoke test failed: ${config.smokePath} on port ${containerPort} ${last} within ${config.smokeTimeoutSeconds}s (smoke-timeout).`
      );
    }
    await sleep(smokePollDelay(n));
    slept += smokePollDelay(n);
  }
}

/** The failure message with the container's last log lines and exit code. */
async function failure(session: RegistrySession, cwd: string, id: string, headline: string): Promise<SlipwayError> {
  const logs = await docker(session, ['logs', '--tail', String(LOG_LINES), id], { cwd });
  const state = containerState((await docker(session, ['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', id], { cwd })).stdout);
  const output = `${logs.stdout}${logs.stderr}`.trimEnd();
  const lines = [
    headline,
    `Container ${id.slice(0, 12)}: ${state.running ? 'still running' : `exit code ${state.exitCode ?? 'unknown'}`}.`,
    output ? `Its last ${LOG_LINES} log lines:\n${output}` : 'It wrote no output.'
  ];
  return new SlipwayError(lines.join('\n'));
}

async function remove(session: RegistrySession, cwd: string, id: string): Promise<void> {
  const removed = await docker(session, ['rm', '-f', id], { cwd }).catch(() => undefined);
  if (removed && removed.code !== 0) session.log.write(`Could not remove the smoke test's container ${id.slice(0, 12)}: ${lastLine(removed.stderr)}`);
}
