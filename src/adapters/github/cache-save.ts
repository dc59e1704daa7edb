// Saving on cache service v2, in the layout @actions/cache writes (same archive, same version, so
// either can restore what the other saved) but without the library: each request has a deadline and
// stops on the caller's signal, and a failure is thrown to the caller instead of being printed as
// the library's own warnings (a reservation the service refused would read "another job may be
// creating this cache").
//   CreateCacheEntry -> the archive to its signed URL (Azure Put Blob, or Put Block + Put Block List
//   above 128 MiB) -> FinalizeCacheEntryUpload
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { send } from '../http.js';
import type { EntryMembers } from '../../ports.js';
import type { Compression } from './cache-restore.js';
import { answerProblem, callTwirp } from './cache-twirp.js';

const MiB = 1024 * 1024;
/** Up to this size one Put Blob carries the archive; above it, blocks (as @actions/cache uploads). */
export const SINGLE_SHOT_BYTES = 128 * MiB;
export const BLOCK_BYTES = 64 * MiB;
/** An upload whose connection stays silent this long is given up. */
const UPLOAD_IDLE_MS = 60_000;

export function archiveName(compression: Compression): string {
  return compression === 'gzip' ? 'cache.tgz' : 'cache.tzst';
}

/** tar creating the archive in the current folder from the manifest's paths (relative to `workspace`). */
export function createArgs(compression: Compression, workspace: string): string[] {
  const archive = archiveName(compression);
  return [
    '--posix',
    '-cf',
    archive,
    '--exclude',
    archive,
    '-P',
    '-C',
    workspace,
    '--files-from',
    'manifest.txt',
    ...(compression === 'gzip' ? ['-z'] : ['--use-compress-program', 'zstdmt'])
  ];
}

/** The paths as tar members: relative to the workspace, the workspace itself as `.`; absent ones left out. */
export function manifest(paths: readonly string[], workspace: string, exists: (path: string) => boolean = existsSync): string[] {
  return paths.filter(exists).map((path) => relative(workspace, path) || '.');
}

/**
 * The lines of tar's --files-from for some files of the paths: the folders alone (GNU tar reads
 * `--no-recursion` and `--recursion` in the list, where they hold for the names after them), then
 * the trees. Empty when none of the trees exists.
 */
export function membersManifest(members: EntryMembers, workspace: string, exists: (path: string) => boolean = existsSync): string[] {
  const trees = manifest(members.trees, workspace, exists);
  if (trees.length === 0) return [];
  const folders = manifest(members.folders, workspace, exists);
  return folders.length > 0 ? ['--no-recursion', ...folders, '--recursion', ...trees] : trees;
}

export interface Block {
  id: string;
  offset: number;
  length: number;
}

/** How an archive of `size` bytes goes up: undefined for one Put Blob, else its blocks in order. */
export function uploadBlocks(size: number): Block[] | undefined {
  if (size <= SINGLE_SHOT_BYTES) return undefined;
  const blocks: Block[] = [];
  // Block ids are base64 and must all have the same length.
  for (let offset = 0; offset < size; offset += BLOCK_BYTES) {
    const id = Buffer.from(`slipway-block-${String(blocks.length).padStart(6, '0')}`).toString('base64');
    blocks.push({ id, offset, length: Math.min(BLOCK_BYTES, size - offset) });
  }
  return blocks;
}

export function blockListXml(ids: readonly string[]): string {
  return `<?xml version="1.0" encoding="utf-8"?><BlockList>${ids.map((id) => `<Latest>${id}</Latest>`).join('')}</BlockList>`;
}

export async function saveEntry(
  env: NodeJS.ProcessEnv,
  paths: string[],
  key: string,
  entry: { compression: Compression; version: string },
  signal?: AbortSignal,
  progress: () => void = () => undefined,
  only?: EntryMembers
): Promise<boolean> {
  const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
  const members = only ? membersManifest(only, workspace) : manifest(paths, workspace);
  if (members.length === 0) throw new Error(`nothing to save: none of ${(only?.trees ?? paths).join(', ')} exists`);
  const folder = mkdtempSync(join(env.RUNNER_TEMP || tmpdir(), 'slipway-save-'));
  try {
    writeFileSync(join(folder, 'manifest.txt'), members.join('\n'));
    await runTar(createArgs(entry.compression, workspace), folder, progress, signal);
    const archive = join(folder, archiveName(entry.compression));
    const size = statSync(archive).size;

    const reserved = await callTwirp(env, 'CreateCacheEntry', { key, version: entry.version }, 'cache reservation', signal);
    // An entry with this key exists (409 on github.com; some servers answer ok:false instead).
    if (reserved.status === 409 || (reserved.json.ok === false && /already exists/i.test(String(reserved.json.message)))) return false;
    const uploadUrl = reserved.json.signed_upload_url ?? reserved.json.signedUploadUrl;
    if (reserved.status !== 200) throw new Error(`cache reservation failed: ${answerProblem(reserved)}`);
    if (reserved.json.ok !== true || typeof uploadUrl !== 'string' || !uploadUrl)
      throw new Error(`the cache service refused the entry: ${refusal(reserved.json)}`);
    await upload(uploadUrl, archive, size, progress, signal);
    const finalized = await callTwirp(env, 'FinalizeCacheEntryUpload', { key, version: entry.version, size_bytes: String(size) }, 'cache finalize', signal);
    if (finalized.status !== 200) throw new Error(`cache finalize failed: ${answerProblem(finalized)}`);
    if (finalized.json.ok !== true) throw new Error(`the cache service did not keep the upload: ${refusal(finalized.json)}`);
    return true;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

async function runTar(args: string[], cwd: string, progress: () => void, signal?: AbortSignal): Promise<void> {
  const tar = spawn('tar', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], signal });
  // Packing is local work, never waiting on the service.
  const ticking = setInterval(progress, 250);
  tar.on('close', () => clearInterval(ticking));
  let stderr = '';
  tar.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
  const code = await new Promise<number>((done, fail) => {
    tar.on('error', (error) => (signal?.aborted ? undefined : fail(new Error(`could not run tar to create the cache archive: ${error.message}`))));
    tar.on('close', (exitCode) => done(exitCode ?? 1));
  });
  signal?.throwIfAborted();
  if (code !== 0) throw new Error(`creating the cache archive failed (tar exit ${code}): ${stderr.trim() || 'no message'}`);
}

type Body = string | { file: string; offset: number; length: number };

async function upload(url: string, archive: string, size: number, progress: () => void, signal?: AbortSignal): Promise<void> {
  const blocks = uploadBlocks(size);
  if (!blocks) return put(url, { 'x-ms-blob-type': 'BlockBlob' }, { file: archive, offset: 0, length: size }, progress, signal);
  for (const block of blocks) await put(withQuery(url, { comp: 'block', blockid: block.id }), {}, { file: archive, ...block }, progress, signal);
  await put(withQuery(url, { comp: 'blocklist' }), { 'content-type': 'application/xml' }, blockListXml(blocks.map((block) => block.id)), progress, signal);
}

/** One PUT to the blob store: a slice of the archive file, or a small text body. */
async function put(url: string, headers: Record<string, string>, body: Body, progress: () => void, signal?: AbortSignal): Promise<void> {
  // The signed URL names the storage API version it was signed for; requests say the same.
  const version = new URL(url).searchParams.get('sv');
  const slice = typeof body === 'string' ? undefined : createReadStream(body.file, { start: body.offset, end: body.offset + body.length - 1 });
  // Bytes read for the socket are bytes moving (the socket's backpressure paces the reads).
  slice?.on('data', progress);
  const response = await send(url, {
    method: 'PUT',
    headers: { ...headers, ...(version ? { 'x-ms-version': version } : {}), ...(typeof body === 'string' ? {} : { 'content-length': String(body.length) }) },
    body: slice ?? (body as string),
    idleMs: UPLOAD_IDLE_MS,
    signal
  }).catch((error: Error) => {
    throw new Error(`cache upload failed: ${error.message}`);
  });
  response.resume();
  // Never the URL: it is signed.
  const code = response.headers['x-ms-error-code'];
  if (response.statusCode !== 201) throw new Error(`cache upload failed: HTTP ${response.statusCode}${code ? ` (${code})` : ''}`);
}

function refusal(json: Record<string, unknown>): string {
  return typeof json.message === 'string' && json.message ? json.message : 'no reason given';
}

function withQuery(url: string, params: Record<string, string>): string {
  const target = new URL(url);
  for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
  return target.href;
}
