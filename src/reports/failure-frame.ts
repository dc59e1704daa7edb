// Where a failing test lives, read from its traceback: Python, pytest, Node and vitest frames, the
// first one inside the project (and in the test's own file when it is known). Pure.
import { isProjectPath, toRepoPath } from './paths.js';
import type { JUnitOptions } from './junit.js';

export interface Frame {
  file: string;
  line: number;
}

// Python: `  File "/abs/tests/test_x.py", line 12, in test_name`
const PYTHON_FRAME = /^\s*File "([^"]+)", line (\d+)/;
// pytest: `tests/test_x.py:12: AssertionError` (not the `E   ...` explanation lines)
const PYTEST_FRAME = /^(?!E\s)(\S(?:.*?\S)?\.[A-Za-z0-9]+):(\d+):(?:\s|$)/;
// JavaScript: `    at fn (/abs/src/x.test.js:12:5)` or `    at /abs/src/x.test.js:12:5`
const JS_FRAME = /^\s*at (?:.*?\()?((?:file:\/\/)?(?:[A-Za-z]:)?[^():]+):(\d+):\d+\)?\s*$/;
// vitest: ` ❯ test/price.test.js:16:31`
const VITEST_FRAME = /^\s*❯\s+(\S+?):(\d+):\d+\s*$/;
/** A classname that is a file path (vitest writes the test file there), not a dotted module name. */
export const PATH_CLASSNAME = /\/|\.[cm]?[jt]sx?$/;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Where interpreters keep their standard library and installed packages (for absolute paths). */
const LIBRARY_PATH = /\/(site-packages|dist-packages|node_modules)\/|\/lib\/(python|pypy)\d[\d.]*\//i;

/**
 * Files a dotted classname may name, most specific first: `tests.test_app.TestIndex` →
 * `tests/test_app/TestIndex.py`, `tests/test_app.py`, `tests.py`. Empty for non-module names.
 */
function moduleFileCandidates(classname: string): string[] {
  const parts = classname.split('.');
  if (classname === '' || !parts.every((part) => IDENTIFIER.test(part))) return [];
  return parts.map((_, i) => parts.slice(0, parts.length - i).join('/') + '.py');
}

/** The module file a classname most likely names: drop trailing CamelCase class names. */
export function moduleFileGuess(classname: string): string | undefined {
  const candidates = moduleFileCandidates(classname);
  const parts = classname.split('.');
  let keep = parts.length;
  while (keep > 1 && /^[A-Z]/.test(parts[keep - 1] ?? '')) keep -= 1;
  return candidates[parts.length - keep];
}

export function sameFile(path: string, candidate: string): boolean {
  return path === candidate || path.endsWith('/' + candidate);
}

/**
 * The frame that says where the test itself failed: the last frame in the test's own file
 * (named by the report, or by its classname), else the last frame inside the project.
 */
export function failureFrame(body: string, testFile: string | undefined, classname: string, options: JUnitOptions): Frame | undefined {
  const ownFiles = testFile ? [testFile] : moduleFileCandidates(classname);
  // A file guessed from a dotted classname is the test's own only inside the project: the guess
  // `unittest/loader.py` (from `unittest.loader._FailedTest`) must not match the standard library.
  const mayOwn = (file: string): boolean => testFile !== undefined || isProjectPath(file) || (!options.projectRoot && !LIBRARY_PATH.test(file));
  // Tracebacks name the same few files over and over: resolve each path once.
  const seen = new Map<string, { file: string; own: boolean; project: boolean }>();
  let own: Frame | undefined;
  let project: Frame | undefined;
  for (const text of body.split('\n')) {
    if (text.length > 1000) continue; // a frame line is short; skip pasted blobs cheaply
    const match = PYTHON_FRAME.exec(text) ?? PYTEST_FRAME.exec(text) ?? JS_FRAME.exec(text) ?? VITEST_FRAME.exec(text);
    const raw = match?.[1];
    const line = match ? Number(match[2]) : NaN;
    if (!raw || !Number.isSafeInteger(line) || line < 1) continue;
    let where = seen.get(raw);
    if (!where) {
      const file = toRepoPath(raw, options);
      where = { file, own: mayOwn(file) && ownFiles.some((candidate) => sameFile(file, candidate)), project: isProjectPath(file) };
      seen.set(raw, where);
    }
    if (where.own) own = { file: where.file, line };
    if (where.project) project = { file: where.file, line };
  }
  return own ?? project;
}
