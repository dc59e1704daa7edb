import { describe, expect, test } from '@jest/globals';
import {
  ENTRY_COST_BYTES,
  ENVIRONMENT_PARTS,
  asideKey,
  balanceParts,
  environmentUnits,
  foldersOf,
  markerPath,
  partKeys,
  partsAgree,
  planEnvironmentLayout,
  type Unit
} from '../../src/stages/environment-parts.js';
import { fakeFiles } from '../fixtures/fake-ports.js';
import { random, times } from '../fixtures/fuzz.js';

const SP = '/venv/lib/python3.11/site-packages';

/** A small virtualenv: one big package, many small ones, the seed, scripts and the config. */
function venv(): Record<string, string> {
  const tree: Record<string, string> = { '/venv/pyvenv.cfg': 'home = /usr/bin', '/venv/bin/pytest': '#!python', '/venv/bin/pip': '#!python' };
  for (const i of times(40, (n) => n)) tree[`${SP}/big/module${i}.py`] = 'x'.repeat(4000);
  for (const name of ['flask', 'jinja2', 'click', 'werkzeug', 'pytest', 'coverage']) {
    for (const i of times(5, (n) => n)) tree[`${SP}/${name}/m${i}.py`] = 'y'.repeat(300);
    tree[`${SP}/${name}-1.0.dist-info/METADATA`] = `Name: ${name}\nVersion: 1.0\n`;
  }
  for (const i of times(30, (n) => n)) tree[`${SP}/pip/_internal/m${i}.py`] = 'p'.repeat(500);
  tree[`${SP}/pip-24.0.dist-info/METADATA`] = 'Name: pip\nVersion: 24.0\n';
  return tree;
}

const allFiles = (tree: Record<string, string>): string[] => Object.keys(tree).sort();
/** The files a list of members covers (a member is a file or a folder with all under it). */
const covered = (members: readonly string[], files: readonly string[]): string[] =>
  files.filter((file) => members.some((member) => file === member || file.startsWith(`${member}/`)));

describe('environment parts', () => {
  test('keys: one per part, in order, and one for what is set aside', () => {
    expect(partKeys('k')).toEqual(['k-part-1-of-4', 'k-part-2-of-4', 'k-part-3-of-4', 'k-part-4-of-4']);
    expect(partKeys('k', 2)).toEqual(['k-part-1-of-2', 'k-part-2-of-2']);
    expect(asideKey('k')).toBe('k-seed');
    expect(markerPath('/venv', 0)).toBe('/venv/.slipway-part-1-of-4');
  });

  test('units: the tree is opened up until no folder costs more than a quarter of a part; files stay whole', () => {
    const files = fakeFiles(venv());
    const units = environmentUnits(['/venv'], [], files);
    const total = units.reduce((sum, unit) => sum + unit.cost, 0);
    for (const unit of units.filter((u) => u.folder)) expect(unit.cost).toBeLessThanOrEqual(total / ENVIRONMENT_PARTS / 4);
    // Every file is covered exactly once.
    const tree = allFiles(venv());
    expect(
      covered(
        units.map((u) => u.path),
        tree
      )
    ).toEqual(tree);
    for (const file of tree) expect(units.filter((u) => file === u.path || file.startsWith(`${u.path}/`))).toHaveLength(1);
  });

  test('units: an excluded path is left out and the folders holding it are opened, whatever their size', () => {
    const files = fakeFiles({ '/env/a/keep.py': 'k', '/env/a/seed/x.py': 's', '/env/b.py': 'b' });
    const units = environmentUnits(['/env'], ['/env/a/seed'], files, 1);
    expect(units.map((u) => u.path)).toEqual(['/env/a/keep.py', '/env/b.py']);
  });

  test('units: cost is bytes plus a fixed cost per entry (a small file costs its creation)', () => {
    const files = fakeFiles({ '/env/one': 'x'.repeat(10), '/env/two': 'y'.repeat(20) });
    const units = environmentUnits(['/env'], [], files, 1);
    expect(units).toEqual([
      { path: '/env/one', cost: 10 + ENTRY_COST_BYTES, folder: false },
      { path: '/env/two', cost: 20 + ENTRY_COST_BYTES, folder: false }
    ]);
  });

  test.each<[string, Unit[], number, string[][]]>([
    [
      'costliest first onto the cheapest part',
      [u('/a', 10), u('/b', 7), u('/c', 5), u('/d', 3)],
      2,
      [
        ['/a', '/d'],
        ['/b', '/c']
      ]
    ],
    ['ties go to the lower part', [u('/a', 1), u('/b', 1)], 2, [['/a'], ['/b']]],
    ['fewer units than parts: empty parts', [u('/a', 1)], 3, [['/a'], [], []]],
    ['equal costs: by path', [u('/c', 2), u('/a', 2), u('/b', 2)], 3, [['/a'], ['/b'], ['/c']]]
  ])('balance: %s', (_, units, parts, expected) => {
    expect(balanceParts(units, parts)).toEqual(expected);
  });

  test('balance (property): every unit lands in exactly one part, and no part exceeds the ideal by more than its biggest unit', () => {
    for (const seed of times(200, (n) => n + 1)) {
      const next = random(seed);
      const units = [...times(1 + Math.floor(next() * 60), (i) => u(`/u${i}`, 1 + Math.floor(next() ** 3 * 10_000)))];
      const parts = 1 + Math.floor(next() * 6);
      const groups = balanceParts(units, parts);
      expect(groups).toHaveLength(parts);
      expect(groups.flat().sort()).toEqual(units.map((unit) => unit.path).sort());
      const cost = (group: string[]): number => group.reduce((sum, path) => sum + (units.find((unit) => unit.path === path)?.cost ?? 0), 0);
      const ideal = units.reduce((sum, unit) => sum + unit.cost, 0) / parts;
      const biggest = Math.max(...units.map((unit) => unit.cost));
      for (const group of groups) expect(cost(group)).toBeLessThanOrEqual(ideal + biggest);
      // The same units in another order give the same parts.
      expect(balanceParts([...units].reverse(), parts)).toEqual(groups);
    }
  });

  test('layout: the parts and the aside cover every file once; each part carries its marker, naming one layout', () => {
    const tree = venv();
    const files = fakeFiles(tree);
    const aside = [`${SP}/pip`, '/venv/bin/pip'];
    const layout = planEnvironmentLayout(['/venv'], aside, files);
    expect(layout.parts).toHaveLength(ENVIRONMENT_PARTS);
    layout.parts.forEach((members, index) => expect(members.trees.at(-1)).toBe(markerPath('/venv', index)));
    const memberFiles = layout.parts.flatMap((members) => covered(members.trees, allFiles(tree)));
    expect([...memberFiles, ...covered(aside, allFiles(tree))].sort()).toEqual(allFiles(tree));
    expect(new Set(memberFiles).size).toBe(memberFiles.length);
    expect(layout.id).toMatch(/^[0-9a-f]{16}$/);
    // Each part names the folders it writes into, from the root down, parents first.
    for (const members of layout.parts) {
      expect(members.folders).toEqual(foldersOf(members.trees, ['/venv']));
      expect(members.folders[0]).toBe('/venv');
      for (const treePath of members.trees) expect(members.folders).toContain(treePath.slice(0, treePath.lastIndexOf('/')));
    }
    expect(layout.aside).toEqual({ folders: ['/venv', '/venv/bin', '/venv/lib', '/venv/lib/python3.11', SP], trees: aside });
    // Markers left by an earlier save are not saved twice: the same tree plans the same layout.
    layout.parts.forEach((members) => files.write(members.trees.at(-1) ?? '', layout.id));
    expect(planEnvironmentLayout(['/venv'], aside, files)).toEqual(layout);
  });

  test('layout: a different tree is a different layout id (parts of two saves do not agree)', () => {
    const one = planEnvironmentLayout(['/venv'], [], fakeFiles(venv()));
    const other = planEnvironmentLayout(['/venv'], [], fakeFiles({ ...venv(), [`${SP}/extra/new.py`]: 'z'.repeat(9000) }));
    expect(one.id).not.toBe(other.id);
  });

  test.each<[string, string[], string[]]>([
    ['a file deep down: every folder from the root, parents first', ['/r/a/b/c.txt'], ['/r', '/r/a', '/r/a/b']],
    ['a file in the root: the root', ['/r/x'], ['/r']],
    ['shared folders once; a sibling named like a prefix stays apart', ['/r/lib/x', '/r/lib-old/y', '/r/lib/z/w'], ['/r', '/r/lib', '/r/lib-old', '/r/lib/z']],
    ['two roots', ['/r/a/x', '/s/b/y'], ['/r', '/r/a', '/s', '/s/b']],
    ['outside every root: none', ['/elsewhere/x'], []]
  ])('folders of trees: %s', (_, trees, expected) => {
    expect(foldersOf(trees, ['/r', '/s'])).toEqual(expected);
  });

  test.each<[string, Record<number, string>, boolean]>([
    ['all markers, one layout', { 0: 'a', 1: 'a', 2: 'a', 3: 'a' }, true],
    ['one marker missing', { 0: 'a', 1: 'a', 3: 'a' }, false],
    ['two layouts', { 0: 'a', 1: 'a', 2: 'b', 3: 'a' }, false],
    ['empty markers', { 0: '', 1: '', 2: '', 3: '' }, false]
  ])('parts agree: %s', (_, markers, expected) => {
    const read = (path: string): string | undefined => markers[Number(/part-(\d)/.exec(path)?.[1]) - 1];
    expect(partsAgree('/venv', read)).toBe(expected);
  });
});

function u(path: string, cost: number): Unit {
  return { path, cost, folder: false };
}
