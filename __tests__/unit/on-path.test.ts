import { afterAll, expect, test } from '@jest/globals';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onPath } from '../../src/adapters/process.js';

const root = mkdtempSync(join(tmpdir(), 'slipway-on-path-'));
const [first, second] = [join(root, 'a'), join(root, 'b')];
mkdirSync(first);
mkdirSync(second);
writeFileSync(join(first, 'runnable'), '#!/bin/sh\n');
chmodSync(join(first, 'runnable'), 0o755);
writeFileSync(join(first, 'plain'), 'not a program');
chmodSync(join(first, 'plain'), 0o644);
mkdirSync(join(first, 'folder'));
writeFileSync(join(second, 'later'), '#!/bin/sh\n');
chmodSync(join(second, 'later'), 0o755);
afterAll(() => rmSync(root, { recursive: true, force: true }));

test.each<[string, string, boolean]>([
  ['runnable', `${first}:${second}`, true],
  ['later', `${first}:${second}`, true],
  ['later', first, false],
  ['plain', `${first}:${second}`, false], // not executable
  ['folder', `${first}:${second}`, false], // a directory is not a program
  ['missing', `${first}:${second}`, false],
  ['runnable', '', false]
])('onPath(%j) on %s', (program, path, expected) => {
  expect(onPath(program, path)).toBe(expected);
});
