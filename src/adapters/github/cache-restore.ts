// Restoring on cache service v2: one lookup, then the archive is streamed from its signed URL into
// `tar -x`, so extraction starts with the first byte and no copy of the archive is written to disk
// (@actions/cache downloads the whole file first, then extracts it).
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BrokenCacheEntry } from '../../ports.js';
import { send } from '../http.js';
import { lookup, UnreadAnswer } from './cache-twirp.js';

export type Compression = 'zstd-without-long' | 'gzip';

/** A download that delivers no byte for this long is given up. */
const DOWNLOAD_IDLE_MS = 60_000;

/** tar reading the archive from standard input into the workspace, as @actions/cache would extract it. */
export function extractArgs(compression: Compression, workspace: string): string[] {
  return ['-xf', '-', '-P', '-C', workspace, ...(compression === 'gzip' ? ['-z'] : ['--use-compress-program', 'unzstd'])];
}

export async function streamedRestore(
  env: NodeJS.ProcessEnv,
  paths: string[],
  key: string,
  restoreKeys: string[],
  entry: { compression: Compression; version: string },
  signal?: AbortSignal,
  progress: () => void = () => undefined
): Promise<string | undefined> {
  const answer = await lookup(env, key, restoreKeys, entry.version, signal);
  if (!answer.found) return undefined;
  const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
  try {
    await streamIntoTar(answer.url, extractArgs(entry.compression, workspace), workspace, progress, signal);
  } catch (error) {
    // Half an environment is worse than none: remove what was written before the failure. Best
    // effort: other entries may be extracting into the same folders (an environment's parts), and
    // their caller clears the paths once all have ended; the failure to tell is this one.
    for (const path of paths) {
      try {
        rmSync(resolve(workspace, path), { recursive: true, force: true });
      } catch {
        // see above
      }
    }
    throw error;
  }
  return answer.matchedKey;
}

/** Streams the archive at `url` into tar; resolves when tar has extracted all of it. */
async function streamIntoTar(url: string, tarArgs: string[], cwd: string, progress: () => void, signal?: AbortSignal): Promise<void> {
  const response = await send(url, { method: 'GET', idleMs: DOWNLOAD_IDLE_MS, signal }).catch((error: Error) => {
    throw new Error(`cache download failed: ${error.message}`);
  });
  const status = response.statusCode ?? 0;
  if (status >= 300 && status < 400) {
    response.resume();
    throw new UnreadAnswer(`the cache download answered HTTP ${status}, which this client does not follow`);
  }
  if (status !== 200) {
    response.resume();
    // Never the URL: it is signed.
    throw new Error(`cache download failed: HTTP ${response.statusCode}`);
  }
  const expected = Number(response.headers['content-length'] ?? NaN);
  let received = 0;
  response.on('data', (chunk: Buffer) => {
    received += chunk.length;
    progress();
  });

  const tar = spawn('tar', tarArgs, { cwd, stdio: ['pipe', 'ignore', 'pipe'], signal });
  let stderr = '';
  tar.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
  const exited = new Promise<number>((done, fail) => {
    tar.on('error', (error) => (signal?.aborted ? undefined : fail(new Error(`could not run tar to extract the cache archive: ${error.message}`))));
    tar.on('close', (code, exitSignal) => done(code ?? (exitSignal ? 128 : 1)));
  });
  // A download that breaks off is the story, not tar's complaint about a truncated archive; tar
  // failing on its own closes its input, and then the EPIPE is not the story, tar's message is.
  const streamed = pipeline(response, tar.stdin).then(
    () => undefined,
    (error: Error) => error
  );
  const [streamError, code] = await Promise.all([streamed, exited]);
  if (signal?.aborted) throw new Error('cache download stopped');
  if (streamError && (streamError as NodeJS.ErrnoException).code !== 'EPIPE') throw new Error(`cache download failed: ${streamError.message}`);
  if (code !== 0) throw new BrokenCacheEntry(`extracting the cache archive failed (tar exit ${code}): ${oneLine(stderr) || 'no message'}`);
  if (Number.isFinite(expected) && received !== expected) throw new Error(`cache download ended early: ${received} of ${expected} bytes`);
}

/** tar's complaint (and its compressor's) on one line, for a warning. */
function oneLine(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join('; ');
}
