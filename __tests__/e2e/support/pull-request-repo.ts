/**
 * The pull request E2E's repository: the `pr-coverage` fixture in `app/` of a real git repository,
 * committed as the base branch's commit and then the pull request's (which appends to ledger.py and
 * adds fees.py with tests), and coverage.py's own numbers for either commit.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FakePullFile } from './fake-github.js';
import { copyInto, fixturePath, makeTempDir } from './workspace.js';

export const APP = 'app';

export const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=Octo Cat', '-c', 'user.email=octo@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe']
  }).trim();

const REFUND = `

def refund(entry, reason=None):
    amount, memo = ENTRIES[entry]
    if amount < 0:
        raise ValueError("only a payment can be refunded")
    note = memo if reason is None else reason
    ENTRIES.append((-amount, "refund: " + note))
    return balance()
`;
const FEES = `"""Fees on ledger entries."""
RATE=0.02


def fee(amount):
    if amount <= 0:
        return 0
    return round(amount * RATE, 2)


def waive(amount):
    return 0
`;
const FEE_TESTS = `import unittest

import fees


class FeeTest(unittest.TestCase):
    def test_fee(self):
        self.assertEqual(fees.fee(100), 2.0)
`;
const REFUND_TEST = `
    def test_refund(self):
        ledger.record(5, "coffee")
        self.assertEqual(ledger.refund(0), 0)
`;

export interface Repository {
  dir: string;
  base: string;
  head: string;
  /** What GitHub lists for the pull request: the files with their patches (3 lines of context). */
  files: FakePullFile[];
}

/** The fixture as the base branch's commit, then the pull request's commit on top. */
export function buildRepository(): Repository {
  const dir = makeTempDir('slipway-pr-repo-');
  copyInto(fixturePath('pr-coverage'), path.join(dir, APP));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'Ledger');
  const base = git(dir, 'rev-parse', 'HEAD');
  appendFileSync(path.join(dir, APP, 'ledger.py'), REFUND);
  appendFileSync(path.join(dir, APP, 'tests', 'test_ledger.py'), REFUND_TEST);
  writeFileSync(path.join(dir, APP, 'fees.py'), FEES);
  writeFileSync(path.join(dir, APP, 'tests', 'test_fees.py'), FEE_TESTS);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'Refunds and fees');
  const head = git(dir, 'rev-parse', 'HEAD');
  const files = git(dir, 'diff', '--name-status', base, head)
    .split('\n')
    .map((line) => line.split('\t'))
    .map(([status, filename = '']) => {
      const patch = git(dir, 'diff', base, head, '--', filename);
      return { filename, status: status === 'A' ? 'added' : 'modified', patch: patch.slice(patch.indexOf('\n@@') + 1) };
    });
  return { dir, base, head, files };
}

export interface Measured {
  total: string;
  /** Per file (project-relative): executed and missing line numbers. */
  files: Record<string, { executed_lines: number[]; missing_lines: number[] }>;
}

/** coverage.py's own numbers for the project at `sha`: the TOTAL as `coverage report --precision=1` prints it, and the lines. */
export function measure(python: string, repository: Repository, sha: string): Measured {
  const copy = makeTempDir('slipway-pr-ref-');
  copyInto(repository.dir, copy);
  git(copy, 'checkout', '-q', '--force', sha);
  const cwd = path.join(copy, APP);
  const env = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  const run = (...args: string[]): string =>
    execFileSync(python, ['-m', 'coverage', ...args], { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  run('run', '-m', 'unittest', 'discover', '-q');
  const total = /^TOTAL\s.*?(\d+\.\d)%\s*$/m.exec(run('report', '--precision=1'))?.[1];
  if (!total) throw new Error('no TOTAL line');
  run('json', '-o', 'coverage.json');
  return { total, files: (JSON.parse(readFileSync(path.join(cwd, 'coverage.json'), 'utf8')) as { files: Measured['files'] }).files };
}

/** `7, 11` or `3–5`: consecutive lines as ranges, as the comment and the gate write them. */
export function ranges(lines: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    let j = i;
    while (lines[j + 1] === (lines[j] as number) + 1) j += 1;
    parts.push(j === i ? `${lines[i]}` : `${lines[i]}–${lines[j]}`);
    i = j;
  }
  return parts.join(', ');
}
