/**
 * Self-test of the runner emulation (support/action-runner.ts) that every end-to-end test trusts:
 * file commands (the `name<<DELIMITER` heredoc @actions/core writes), workflow commands
 * (annotations with escaped properties, groups, masks, stop-commands), inputs from action.yml
 * defaults, state handed to the post step, and isolation from the test process's own runner variables.
 *
 * The round-trip tests run a throwaway action whose main and post use the REAL @actions/core from
 * node_modules, so the parsers are checked against what the library actually writes.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { inputEnvName, parseFileCommand, parseWorkflowCommands, readActionMetadata, runAction, runPost, type ActionResult } from './support/action-runner.js';
import { makeTempDir, removeTempDirs, repoRoot } from './support/workspace.js';

afterAll(() => removeTempDirs());

describe('parseFileCommand', () => {
  test('name=value lines and heredocs; later values win; "=" and "<<" inside values are kept', () => {
    const text = [
      'plain=one',
      'multi<<ghadelimiter_1234',
      'line 1',
      'a=b <<not-a-delimiter',
      '',
      'line 4',
      'ghadelimiter_1234',
      'empty<<EOF',
      'EOF',
      'equals=x=y',
      'plain=two',
      ''
    ].join('\n');
    expect(parseFileCommand(text)).toEqual({
      plain: 'two',
      multi: 'line 1\na=b <<not-a-delimiter\n\nline 4',
      empty: '',
      equals: 'x=y'
    });
  });

  test('CRLF files, and an unclosed heredoc is an error (the runner fails the step too)', () => {
    expect(parseFileCommand('a<<D\r\nx\r\nD\r\nb=1\r\n')).toEqual({ a: 'x', b: '1' });
    expect(() => parseFileCommand('a<<D\nx\n')).toThrow(/no closing delimiter/);
    expect(() => parseFileCommand('just text\n')).toThrow(/invalid line/);
  });
});

describe('parseWorkflowCommands', () => {
  test('annotations with escaped properties and messages, groups, masks, debug; the rest is the log', () => {
    const stdout = [
      'plain output',
      '::warning title=F401%2C unused%3A import,file=src/a%2Cb.py,line=3,col=8,endColumn=12::`json` imported%0Asecond line 100%25',
      '::error::Test failed',
      '::notice file=x.py::note',
      '::group::install: 2 packages',
      'inside the group',
      '::endgroup::',
      '::add-mask::s3cret',
      '::debug::details'
    ].join('\n');
    const parsed = parseWorkflowCommands(stdout);
    expect(parsed.annotations).toEqual([
      { level: 'warning', message: '`json` imported\nsecond line 100%', file: 'src/a,b.py', title: 'F401, unused: import', line: 3, col: 8, endColumn: 12 },
      { level: 'error', message: 'Test failed' },
      { level: 'notice', message: 'note', file: 'x.py' }
    ]);
    expect(parsed.groups).toEqual(['install: 2 packages']);
    expect(parsed.masks).toEqual(['s3cret']);
    expect(parsed.debug).toEqual(['details']);
    expect(parsed.log).toBe('plain output\ninside the group');
  });

  test('nothing between ::stop-commands::TOKEN and ::TOKEN:: is obeyed (tool output cannot forge annotations)', () => {
    const parsed = parseWorkflowCommands(['::stop-commands::tok-1', '::error file=x.py::forged', '::tok-1::', '::warning::real'].join('\n'));
    expect(parsed.annotations).toEqual([{ level: 'warning', message: 'real' }]);
    expect(parsed.log).toBe('::error file=x.py::forged');
  });
});

describe('running an action the way the runner does', () => {
  let actionDir: string;
  let main: ActionResult;
  let post: ActionResult | undefined;
  const outerOutput = path.join(makeTempDir('slipway-outer-'), 'outer-output');

  beforeAll(async () => {
    actionDir = makeTempDir('slipway-fake-action-');
    const core = JSON.stringify(pathToFileURL(path.join(repoRoot(), 'node_modules', '@actions', 'core', 'lib', 'core.js')).href);
    writeFileSync(
      path.join(actionDir, 'action.yml'),
      [
        'name: fake',
        'description: runner emulation self-test',
        'inputs:',
        '  plain-input:',
        "    description: 'a default'",
        "    default: 'the default'",
        '  token:',
        '    default: ${{ github.token }}',
        '  multi line:',
        '    default: |',
        '      first',
        '      second',
        '  no-default:',
        '    description: none',
        'outputs:',
        '  text:',
        '    description: x',
        'runs:',
        '  using: node24',
        '  main: main.mjs',
        '  post: post.mjs',
        ''
      ].join('\n')
    );
    writeFileSync(
      path.join(actionDir, 'main.mjs'),
      `const core = await import(${core});
core.setOutput('multi', 'line 1\\nline 2 has = and <<EOF\\n\\nlast');
core.setOutput('inputs', JSON.stringify({
  plain: core.getInput('plain-input'), token: core.getInput('token'), multi: core.getInput('multi line'),
  none: core.getInput('no-default'), given: process.env['INPUT_GIVEN-INPUT'] ?? null
}));
core.setOutput('where', JSON.stringify({ cwd: process.cwd(), outer: process.env.OUTER_MARK ?? null, nodeOptions: process.env.NODE_OPTIONS ?? null }));
core.warning('unused import\\n100% sure', { title: 'F401, unused: import', file: 'src/a,b.py', startLine: 3, startColumn: 8 });
core.error('broken', { file: 'tests/test_x.py', startLine: 12 });
core.notice('fyi');
core.startGroup('stage: details');
core.info('::error::forged from inside a group? no: this is a real command, groups do not stop commands');
core.endGroup();
core.saveState('token-state', 'state value\\nwith newline');
core.exportVariable('FROM_MAIN', 'exported');
core.addPath('/opt/fake/bin');
core.setSecret('hush-hush');
await core.summary.addHeading('Fake summary').addRaw('body text', true).write();
`
    );
    writeFileSync(
      path.join(actionDir, 'post.mjs'),
      `const core = await import(${core});
core.setOutput('post', JSON.stringify({ state: core.getState('token-state'), env: process.env.FROM_MAIN ?? null, path: (process.env.PATH ?? '').split(':')[0] }));
`
    );
    // If the tests run inside GitHub Actions, these belong to the outer job: the child must not use them.
    const saved = { GITHUB_OUTPUT: process.env['GITHUB_OUTPUT'], OUTER_MARK: process.env['OUTER_MARK'] };
    writeFileSync(outerOutput, '');
    process.env['GITHUB_OUTPUT'] = outerOutput;
    process.env['OUTER_MARK'] = 'inherited';
    try {
      const workspace = makeTempDir('slipway-fake-ws-');
      main = await runAction({ workspace, actionDir, inputs: { 'given-input': 'x' }, allowUnexpectedInputs: true, githubToken: 'ghs_given' });
      post = await runPost(main);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }, 60_000);

  test('the step succeeds', () => {
    if (!main.ok) throw new Error(`exit ${main.code}\n${main.stdout}\n${main.stderr}`);
    expect(main.step).toBe('main');
  });

  test('outputs written by @actions/core (heredoc form) read back exactly', () => {
    expect(main.outputs['multi']).toBe('line 1\nline 2 has = and <<EOF\n\nlast');
    // @actions/core 3 writes every value as a heredoc with a random delimiter, never as name=value.
    const outputFiles = readdirSync(path.join(main.jobDir, 'file-commands')).filter((f) => f.startsWith('set_output_'));
    expect(outputFiles).toHaveLength(2); // one per step: main and post
    const written = outputFiles.map((f) => readFileSync(path.join(main.jobDir, 'file-commands', f), 'utf8')).join('');
    expect(written).toMatch(/^multi<<ghadelimiter_[0-9a-f-]+$/m);
    expect(written).not.toMatch(/^multi=/m);
  });

  test('inputs: action.yml defaults, ${{ github.token }} expanded, the step`s `with:`, names as the runner spells them', () => {
    expect(JSON.parse(main.outputs['inputs'] ?? '{}')).toEqual({
      plain: 'the default',
      token: 'ghs_given',
      multi: 'first\nsecond',
      none: '',
      given: 'x'
    });
    expect(inputEnvName('multi line')).toBe('INPUT_MULTI_LINE');
    expect(inputEnvName('cache-dependency-path')).toBe('INPUT_CACHE-DEPENDENCY-PATH');
  });

  test('annotations keep their properties through the escaping', () => {
    expect(main.annotations).toEqual([
      { level: 'warning', message: 'unused import\n100% sure', title: 'F401, unused: import', file: 'src/a,b.py', line: 3, col: 8 },
      { level: 'error', message: 'broken', file: 'tests/test_x.py', line: 12 },
      { level: 'notice', message: 'fyi' },
      { level: 'error', message: 'forged from inside a group? no: this is a real command, groups do not stop commands' }
    ]);
    expect(main.groups).toEqual(['stage: details']);
    expect(main.masks).toEqual(['hush-hush']);
  });

  test('the job summary, state, env and path files are read back', () => {
    expect(main.summary).toContain('<h1>Fake summary</h1>');
    expect(main.summary).toContain('body text');
    expect(main.state).toEqual({ 'token-state': 'state value\nwith newline' });
    expect(main.env).toEqual({ FROM_MAIN: 'exported' });
    expect(main.path).toEqual(['/opt/fake/bin']);
  });

  test('the post step gets the state, env and path main left', () => {
    expect(post?.ok).toBe(true);
    expect(JSON.parse(post?.outputs['post'] ?? '{}')).toEqual({ state: 'state value\nwith newline', env: 'exported', path: '/opt/fake/bin' });
  });

  test('the child runs in the workspace, without the outer job`s runner files or jest`s NODE_OPTIONS', () => {
    const where = JSON.parse(main.outputs['where'] ?? '{}') as { cwd: string; outer: string | null; nodeOptions: string | null };
    expect(where.cwd).toBe(main.options.workspace);
    expect(where.nodeOptions).toBeNull();
    expect(where.outer).toBe('inherited'); // ordinary variables are inherited
    expect(readFileSync(outerOutput, 'utf8')).toBe('');
  });

  test('an input action.yml does not declare is refused (a typo in a test would silently test nothing)', async () => {
    await expect(runAction({ workspace: makeTempDir('slipway-fake-ws-'), actionDir, inputs: { 'plain-inptu': 'x' } })).rejects.toThrow(/not declared/);
  });
});

describe("Slipway's own action.yml", () => {
  test('is read by the emulation: node24, dist/index.js, defaults with expressions', () => {
    const meta = readActionMetadata(repoRoot());
    expect(meta.runs).toMatchObject({ using: 'node24', main: 'dist/index.js' });
    expect(meta.inputs['cache-version']?.default).toBe('v1');
    expect(meta.inputs['github-token']?.default).toBe('${{ github.token }}');
    expect(meta.outputs).toEqual(expect.arrayContaining(['cache-hit', 'cache-key', 'result']));
    // Every input has a default (the runner sets INPUT_<NAME> only for those), so the contract defaults hold.
    for (const name of ['working-directory', 'language', 'python', 'cache', 'coverage', 'coverage-min', 'lint', 'lint-blocking']) {
      expect(meta.inputs[name]?.default).toBeDefined();
    }
  });
});
