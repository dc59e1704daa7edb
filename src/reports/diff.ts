// Pure unified-diff reading: which lines of each file a change added or changed (new side), from the
// per-file patches GitHub's pulls.listFiles returns or from `git diff` output for several files.
// It never throws: text it cannot read yields fewer lines, never an error.

/** GitHub's file statuses; `git diff` yields the first five. */
export type FileStatus = 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';

export interface ChangedFile {
  /** Repository-relative path on the new side (the old one for a removed file). */
  path: string;
  /** The path before a rename or copy. */
  previousPath?: string;
  status: FileStatus;
  /** New-side numbers of the added or changed lines, ascending, each once. */
  lines: number[];
  /** False when the diff text was not available (a binary file, or a diff too large for GitHub): `lines` is then empty. */
  complete: boolean;
}

/** One entry of `GET /repos/{owner}/{repo}/pulls/{n}/files`, the fields read here. */
export interface PullRequestFile {
  filename: string;
  status: string;
  previous_filename?: string;
  /** Absent for binary files and very large diffs. */
  patch?: string | null;
  additions?: number;
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;
const STATUSES: readonly FileStatus[] = ['added', 'removed', 'modified', 'renamed', 'copied', 'changed', 'unchanged'];

/** Where a hunk is: the next new-side line number and how many lines of each side are still to come. */
interface Hunk {
  next: number;
  oldLeft: number;
  newLeft: number;
}

function startHunk(line: string): Hunk | undefined {
  const match = HUNK_HEADER.exec(line);
  if (!match) return undefined;
  const [next, oldLeft, newLeft] = [match[3], match[2] ?? '1', match[4] ?? '1'].map(Number);
  // `@@ -1 +1 @@` means one line each; absurd numbers mean a hunk not worth reading
  if (![next, oldLeft, newLeft].every((n) => Number.isSafeInteger(n))) return undefined;
  return { next: next as number, oldLeft: oldLeft as number, newLeft: newLeft as number };
}

/**
 * Reads one line of a hunk's body into `added`; false when the line is not part of the hunk. The
 * counts decide where a hunk ends, so a deleted line reading `-- a/x` is never taken for a header.
 */
function readHunkLine(hunk: Hunk, line: string, added: Set<number>): boolean {
  if (line.startsWith('\\')) return true; // "\ No newline at end of file"
  const mark = line === '' ? ' ' : line[0]; // an empty line is context whose leading space was stripped
  if (mark === '+' && hunk.newLeft > 0) {
    added.add(hunk.next);
    hunk.next += 1;
    hunk.newLeft -= 1;
  } else if (mark === '-' && hunk.oldLeft > 0) {
    hunk.oldLeft -= 1;
  } else if (mark === ' ' && hunk.newLeft > 0) {
    hunk.next += 1;
    hunk.oldLeft -= 1;
    hunk.newLeft -= 1;
  } else {
    return false;
  }
  return true;
}

const sorted = (lines: Set<number>): number[] => [...lines].filter((n) => n >= 1).sort((a, b) => a - b);

function splitLines(text: unknown): string[] {
  return typeof text === 'string' ? text.split(/\r?\n/) : [];
}

/** New-side numbers of the added lines in one file's hunks (a pulls.listFiles `patch`). */
export function addedLines(patch: string): number[] {
  const added = new Set<number>();
  let hunk: Hunk | undefined;
  for (const line of splitLines(patch)) {
    if (hunk && readHunkLine(hunk, line, added)) continue;
    hunk = startHunk(line);
  }
  return sorted(added);
}

/** The changed files of a pull request as GitHub lists them. */
export function changedFilesFromPullRequest(files: readonly PullRequestFile[]): ChangedFile[] {
  return files.flatMap((file) => {
    if (typeof file?.filename !== 'string' || file.filename === '') return [];
    const status = STATUSES.find((s) => s === file.status) ?? 'modified';
    const hasPatch = typeof file.patch === 'string' && file.patch !== '';
    // Without a patch the lines are known only when nothing was added (a removal, a pure rename).
    const complete = hasPatch || status === 'removed' || status === 'unchanged' || file.additions === 0;
    const changed: ChangedFile = { path: file.filename, status, lines: hasPatch ? addedLines(file.patch as string) : [], complete };
    if (typeof file.previous_filename === 'string' && file.previous_filename !== '') changed.previousPath = file.previous_filename;
    return [changed];
  });
}

// ---------------------------------------------------------------------------------------------
// `git diff` output for several files

const C_ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };

/** A path as git prints it: `"sp\303\244ce.py"` (C-quoted UTF-8 bytes) or bare. */
function unquote(raw: string): string {
  if (!raw.startsWith('"') || !raw.endsWith('"') || raw.length < 2) return raw;
  const bytes: number[] = [];
  for (const [, octal, escaped, plain] of raw.slice(1, -1).matchAll(/\\([0-7]{3})|\\(.)|([^\\]+)/gsu)) {
    if (octal !== undefined) bytes.push(parseInt(octal, 8) & 0xff);
    else if (escaped !== undefined) bytes.push(...(escaped in C_ESCAPES ? [C_ESCAPES[escaped] as number] : Buffer.from(escaped, 'utf8')));
    else bytes.push(...Buffer.from(plain ?? '', 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The path of a `--- a/x` or `+++ b/x` line (a tab ends it when it holds a space); undefined for /dev/null. */
function sidePath(raw: string): string | undefined {
  const path = unquote(raw.replace(/\t.*$/, ''));
  return path === '/dev/null' ? undefined : path.replace(/^[ab]\//, '');
}

/** The new-side path of `diff --git a/x b/x`: read only when both sides are the same path (else the other lines say). */
function headerPath(rest: string): string | undefined {
  const quoted = /^("(?:[^"\\]|\\.)*"|\S+) ("(?:[^"\\]|\\.)*"|\S+)$/.exec(rest);
  if (quoted) return sidePath(quoted[2] as string);
  const half = (rest.length - 1) / 2;
  const [a, b] = [rest.slice(0, half), rest.slice(half + 1)];
  return Number.isInteger(half) && a.startsWith('a/') && b.startsWith('b/') && a.slice(2) === b.slice(2) ? b.slice(2) : undefined;
}

interface FileBlock {
  header?: string;
  oldPath?: string;
  newPath?: string;
  renamedFrom?: string;
  renamedTo?: string;
  /** A `+++` line was read: a further `---` line starts the next file. */
  newSide: boolean;
  status: FileStatus;
  binary: boolean;
  added: Set<number>;
}

function toChangedFile(block: FileBlock): ChangedFile | undefined {
  const path = block.status === 'removed' ? (block.oldPath ?? block.header) : (block.newPath ?? block.renamedTo ?? block.header ?? block.oldPath);
  if (!path) return undefined;
  const changed: ChangedFile = { path, status: block.status, lines: sorted(block.added), complete: !block.binary };
  const previous = block.renamedFrom ?? (block.status === 'renamed' || block.status === 'copied' ? block.oldPath : undefined);
  if (previous !== undefined && previous !== path) changed.previousPath = previous;
  return changed;
}

/** Reads one header line of a file block (`index`, mode and similarity lines say nothing needed here). */
function readHeader(block: FileBlock, line: string): void {
  const [, key = '', value = ''] = /^(new file mode|deleted file mode|rename from |rename to |copy from |copy to |--- |\+\+\+ )(.*)$/.exec(line) ?? [];
  if (key === 'new file mode') block.status = 'added';
  else if (key === 'deleted file mode') block.status = 'removed';
  else if (key === 'rename from ' || key === 'copy from ') block.renamedFrom = unquote(value);
  else if (key === 'rename to ' || key === 'copy to ') {
    block.renamedTo = unquote(value);
    block.status = key === 'rename to ' ? 'renamed' : 'copied';
  } else if (key === '--- ') block.oldPath = sidePath(value);
  else if (key === '+++ ') {
    block.newPath = sidePath(value);
    block.newSide = true;
  } else if (/^Binary files .* differ$|^GIT binary patch$/.test(line)) block.binary = true;
}

const newBlock = (header?: string): FileBlock => ({ header, newSide: false, status: 'modified', binary: false, added: new Set() });

/**
 * Changed files of `git diff` output (best with `--unified=0 --no-color --no-ext-diff -M` and the
 * default `a/` `b/` prefixes); plain `diff -u` output for several files reads too.
 */
export function parseGitDiff(text: string): ChangedFile[] {
  const blocks: FileBlock[] = [];
  let block: FileBlock | undefined;
  let hunk: Hunk | undefined;
  for (const line of splitLines(text)) {
    if (hunk && block && readHunkLine(hunk, line, block.added)) continue;
    hunk = undefined;
    if (line.startsWith('diff --git ')) {
      block = newBlock(headerPath(line.slice('diff --git '.length)));
      blocks.push(block);
    } else if (line.startsWith('--- ') && (!block || block.newSide)) {
      block = newBlock(); // `diff -u` output: no `diff --git` line between files
      blocks.push(block);
      readHeader(block, line);
    } else if (block && line.startsWith('@@')) {
      hunk = startHunk(line);
    } else if (block) {
      readHeader(block, line);
    }
  }
  return blocks.flatMap((b) => toChangedFile(b) ?? []);
}
