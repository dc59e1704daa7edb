// What eslint lints: the targets and file/config options of the project's `lint` script (followed
// one level through `npm run lint:js`), with Slipway's reporter options instead of the script's.
import { describe, expect, test } from '@jest/globals';
import { eslintCallOf } from '../../src/ecosystems/node/lint-targets.js';
import { planNodeLint } from '../../src/ecosystems/node/lint.js';
import type { ScriptRunner } from '../../src/ecosystems/node/package-manager.js';

describe('eslintCallOf: lint script → eslint options and targets', () => {
  test.each<[string, Record<string, string>, { options: string[]; targets: string[] } | undefined]>([
    ['one folder', { lint: 'eslint src' }, { options: [], targets: ['src'] }],
    ['--ext with a trailing slash', { lint: 'eslint --ext .ts src/' }, { options: ['--ext', '.ts'], targets: ['src/'] }],
    ['a quoted glob and a folder', { lint: 'eslint "src/**/*.ts" test' }, { options: [], targets: ['src/**/*.ts', 'test'] }],
    ['no targets: eslint decides', { lint: 'eslint' }, { options: [], targets: [] }],
    [
      'config options kept, output options dropped',
      { lint: 'eslint -c .eslintrc.ci.json --ignore-path .gitignore --no-eslintrc --resolve-plugins-relative-to . -f stylish -o out.txt lib' },
      { options: ['-c', '.eslintrc.ci.json', '--ignore-path', '.gitignore', '--no-eslintrc', '--resolve-plugins-relative-to', '.'], targets: ['lib'] }
    ],
    [
      '--fix, --cache, --max-warnings and --format= dropped',
      { lint: 'eslint --fix --cache --cache-location .cache/ --max-warnings 0 --format=json --quiet src' },
      { options: ['--quiet'], targets: ['src'] }
    ],
    ['--config= form kept whole', { lint: 'eslint --config=eslint.ci.mjs src' }, { options: ['--config=eslint.ci.mjs'], targets: ['src'] }],
    ['redirections belong to the shell', { lint: 'eslint src > lint.txt 2>&1' }, { options: [], targets: ['src'] }],
    ['after another command', { lint: 'tsc --noEmit && eslint src test' }, { options: [], targets: ['src', 'test'] }],
    ['through npx with env', { lint: 'cross-env TIMING=1 npx eslint lib' }, { options: [], targets: ['lib'] }],
    ["node running eslint's bin", { lint: 'node node_modules/eslint/bin/eslint.js src' }, { options: [], targets: ['src'] }],
    [
      'npm run lint:js, one level',
      { lint: 'npm run lint:js && npm run lint:css', 'lint:js': 'eslint src', 'lint:css': 'stylelint "**/*.css"' },
      { options: [], targets: ['src'] }
    ],
    ['npm run -s lint:js', { lint: 'npm run -s lint:js', 'lint:js': 'eslint --ext .js,.jsx app' }, { options: ['--ext', '.js,.jsx'], targets: ['app'] }],
    ['yarn lint:js', { lint: 'yarn lint:js', 'lint:js': 'eslint src' }, { options: [], targets: ['src'] }],
    ['pnpm run lint:js', { lint: 'pnpm run lint:js', 'lint:js': 'eslint src' }, { options: [], targets: ['src'] }],
    ['only one level', { lint: 'npm run a', a: 'npm run b', b: 'eslint src' }, undefined],
    ['a script calling itself', { lint: 'npm run lint' }, undefined],
    ['npm lint:js is no script run', { lint: 'npm lint:js', 'lint:js': 'eslint src' }, undefined],
    ['another linter', { lint: 'biome check .' }, undefined],
    ['eslint reading stdin', { lint: 'cat a.js | eslint --stdin' }, undefined],
    ['eslint printing its config', { lint: 'eslint --print-config a.js' }, undefined],
    ['no lint script', { test: 'eslint src' }, undefined]
  ])('%s', (_, scripts, expected) => {
    expect(eslintCallOf(scripts)).toEqual(expected);
  });
});

describe('planNodeLint on the lint script’s targets', () => {
  const npm: ScriptRunner = { manager: 'npm', yarnBerry: false, corepack: false };
  const line = (scripts: Record<string, string>, pnp = false) => {
    const plan = planNodeLint({ manager: pnp ? { manager: 'yarn', yarnBerry: true, corepack: false } : npm, scripts, hasEslint: true, root: '/p', pnp });
    return plan && [plan.command.command, ...plan.command.args];
  };

  test.each<[string, Record<string, string>, boolean, string[]]>([
    [
      'the targets, JSON output',
      { lint: 'eslint --ext .ts src/ --max-warnings 0' },
      false,
      ['/p/node_modules/.bin/eslint', '--ext', '.ts', '--format', 'json', 'src/']
    ],
    ['nothing says otherwise: .', { lint: 'biome check' }, false, ['/p/node_modules/.bin/eslint', '--format', 'json', '.']],
    [
      "Plug'n'Play keeps its ignore patterns",
      { lint: 'eslint -c ci.mjs src' },
      true,
      ['yarn', 'eslint', '-c', 'ci.mjs', '--format', 'json', '--ignore-pattern', '.pnp.*', '--ignore-pattern', '.yarn/', 'src']
    ]
  ])('%s', (_, scripts, pnp, expected) => {
    expect(line(scripts, pnp)).toEqual(expected);
  });
});
