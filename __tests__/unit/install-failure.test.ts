// Which lines of a failed install are shown: outputs captured from real pip 23/26 and npm 11 runs
// against this machine's package mirror and the npm registry.
import { describe, expect, test } from '@jest/globals';
import { explainPipFailure } from '../../src/ecosystems/python/install-errors.js';
import { keyLines } from '../../src/stages/install-failure.js';

const pipNoMatch = `Looking in indexes: file:///opt/pypi/simple, file:///opt/pypi-more/simple
Looking in links: /opt/wheels
WARNING: Location 'file:///opt/pypi/simple/nosuchpkg-xyz/' is ignored: it is neither a file nor a directory.
WARNING: Location 'file:///opt/pypi-more/simple/nosuchpkg-xyz/' is ignored: it is neither a file nor a directory.
ERROR: Could not find a version that satisfies the requirement nosuchpkg-xyz==1.0 (from versions: none)
ERROR: No matching distribution found for nosuchpkg-xyz==1.0
`;

const pipMissingInRequirements = `Looking in indexes: file:///opt/pypi/simple, file:///opt/pypi-more/simple
Looking in links: /opt/wheels
WARNING: Location 'file:///opt/pypi-more/simple/flask/' is ignored: it is neither a file nor a directory.
Processing /opt/pypi/files/flask-3.1.3-py3-none-any.whl (from -r r.txt (line 1))
WARNING: Location 'file:///opt/pypi/simple/nosuch-thing/' is ignored: it is neither a file nor a directory.
WARNING: Location 'file:///opt/pypi-more/simple/nosuch-thing/' is ignored: it is neither a file nor a directory.
ERROR: Could not find a version that satisfies the requirement nosuch-thing>=2 (from versions: none)
ERROR: No matching distribution found for nosuch-thing>=2
`;

const pipConflict = `Looking in indexes: file:///opt/pypi/simple, file:///opt/pypi-more/simple
Looking in links: /opt/wheels
WARNING: Location 'file:///opt/pypi-more/simple/pytest/' is ignored: it is neither a file nor a directory.
Processing /opt/pypi/files/pytest-8.4.2-py3-none-any.whl
ERROR: Cannot install pytest==8.4.2 and pytest==9.1.1 because these package versions have conflicting dependencies.

The conflict is caused by:
    The user requested pytest==8.4.2
    The user requested pytest==9.1.1

To fix this you could try to:
1. loosen the range of package versions you've specified
2. remove package versions to allow pip attempt to solve the dependency conflict

ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/#dealing-with-dependency-conflicts
`;

const pipBuild = `Looking in indexes: file:///opt/pypi/simple, file:///opt/pypi-more/simple
Looking in links: /opt/wheels
Obtaining file:///project/bad
  Installing build dependencies: started
  Installing build dependencies: finished with status 'done'
  Checking if build backend supports build_editable: started
  Checking if build backend supports build_editable: finished with status 'done'
  Getting requirements to build editable: started
  Getting requirements to build editable: finished with status 'error'
  error: subprocess-exited-with-error
  
  × Getting requirements to build editable did not run successfully.
  │ exit code: 1
  ╰─> [1 lines of output]
      boom: missing libfoo
      [end of output]
  
  note: This error originates from a subprocess, and is likely not a problem with pip.
ERROR: Failed to build 'file:///project/bad' when getting requirements to build editable
`;

const pipRetries = `Looking in indexes: http://127.0.0.1:9/simple, file:///opt/pypi-more/simple
Looking in links: /opt/wheels
WARNING: Location 'file:///opt/pypi-more/simple/flask/' is ignored: it is neither a file nor a directory.
WARNING: Retrying (Retry(total=0, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError("HTTPConnection(host='127.0.0.1', port=9): Failed to establish a new connection: [Errno 111] Connection refused")': /simple/flask/
ERROR: Could not find a version that satisfies the requirement flask (from versions: none)
ERROR: No matching distribution found for flask
`;

const pipNoGroup = `
Usage:   
  /venv/bin/python -m pip install [options] <requirement specifier> [package-index-options] ...
  /venv/bin/python -m pip install [options] -r <requirements file> [package-index-options] ...
  /venv/bin/python -m pip install [options] [-e] <vcs project url> ...
  /venv/bin/python -m pip install [options] [-e] <local project path> ...
  /venv/bin/python -m pip install [options] <archive url/path> ...

no such option: --group
`;

const npm404 = `npm error code E404
npm error 404 Not Found - GET https://registry.npmjs.org/no-such-package-slipway-xyz
npm error 404
npm error 404  The requested resource 'no-such-package-slipway-xyz@^1.0.0' could not be found or you do not have permission to access it.
npm error 404
npm error 404 Note that you can also install from a
npm error 404 tarball, folder, http url, or git url.
npm error A complete log of this run can be found in: /root/.npm/_logs/2026-11-30T19_01_04_571Z-debug-0.log
`;

const npmEresolve = `npm error code ERESOLVE
npm error ERESOLVE unable to resolve dependency tree
npm error
npm error While resolving: b@1.0.0
npm error Found: react@17.0.2
npm error node_modules/react
npm error   react@"17.0.2" from the root project
npm error
npm error Could not resolve dependency:
npm error peer react@"^18.2.0" from react-dom@18.2.0
npm error node_modules/react-dom
npm error   react-dom@"18.2.0" from the root project
npm error
npm error Fix the upstream dependency conflict, or retry this command with --force or --legacy-peer-deps to accept an incorrect (and potentially broken) dependency resolution.
npm error
npm error
npm error For a full report see:
npm error /root/.npm/_logs/2026-11-30T19_01_06_032Z-eresolve-report.txt
npm error A complete log of this run can be found in: /root/.npm/_logs/2026-11-30T19_01_06_032Z-debug-0.log
`;

const npmEngine = `npm error code EBADENGINE
npm error engine Unsupported engine
npm error engine Not compatible with your version of node/npm: c@1.0.0
npm error notsup Not compatible with your version of node/npm: c@1.0.0
npm error notsup Required: {"node":">=99"}
npm error notsup Actual:   {"node":"v20.20.2","npm":"11.19.1"}
npm error A complete log of this run can be found in: /root/.npm/_logs/2026-11-30T19_01_07_517Z-debug-0.log
`;

describe('keyLines', () => {
  test.each([
    {
      name: 'pip: a requirement the index does not have (mirror warnings left out)',
      output: pipNoMatch,
      lines: [
        'ERROR: Could not find a version that satisfies the requirement nosuchpkg-xyz==1.0 (from versions: none)',
        'ERROR: No matching distribution found for nosuchpkg-xyz==1.0'
      ]
    },
    {
      name: 'pip: one line of a requirements file',
      output: pipMissingInRequirements,
      lines: [
        'ERROR: Could not find a version that satisfies the requirement nosuch-thing>=2 (from versions: none)',
        'ERROR: No matching distribution found for nosuch-thing>=2'
      ]
    },
    {
      name: 'pip: conflicting pins, with what causes the conflict',
      output: pipConflict,
      lines: [
        'ERROR: Cannot install pytest==8.4.2 and pytest==9.1.1 because these package versions have conflicting dependencies.',
        'The conflict is caused by:',
        '    The user requested pytest==8.4.2',
        '    The user requested pytest==9.1.1',
        'ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/#dealing-with-dependency-conflicts'
      ]
    },
    {
      name: "pip: a build that fails, with the build's own output",
      output: pipBuild,
      lines: [
        '  × Getting requirements to build editable did not run successfully.',
        '  │ exit code: 1',
        '  ╰─> [1 lines of output]',
        '      boom: missing libfoo',
        '      [end of output]',
        "ERROR: Failed to build 'file:///project/bad' when getting requirements to build editable"
      ]
    },
    {
      name: 'pip: an index that does not answer: the retries are not the reason',
      output: pipRetries,
      lines: ['ERROR: Could not find a version that satisfies the requirement flask (from versions: none)', 'ERROR: No matching distribution found for flask']
    },
    {
      name: 'npm: a package the registry does not have',
      output: npm404,
      lines: [
        'npm error code E404',
        'npm error 404 Not Found - GET https://registry.npmjs.org/no-such-package-slipway-xyz',
        "npm error 404  The requested resource 'no-such-package-slipway-xyz@^1.0.0' could not be found or you do not have permission to access it."
      ]
    },
    {
      name: 'npm: ERESOLVE, the whole summary but not where the report is',
      output: npmEresolve,
      lines: [
        'npm error code ERESOLVE',
        'npm error ERESOLVE unable to resolve dependency tree',
        'npm error While resolving: b@1.0.0',
        'npm error Found: react@17.0.2',
        'npm error node_modules/react',
        'npm error   react@"17.0.2" from the root project',
        'npm error Could not resolve dependency:',
        'npm error peer react@"^18.2.0" from react-dom@18.2.0',
        'npm error node_modules/react-dom',
        'npm error   react-dom@"18.2.0" from the root project',
        'npm error Fix the upstream dependency conflict, or retry this command with --force or --legacy-peer-deps to accept an incorrect (and potentially broken) dependency resolution.'
      ]
    },
    {
      name: 'npm: an engine the project refuses',
      output: npmEngine,
      lines: [
        'npm error code EBADENGINE',
        'npm error engine Unsupported engine',
        'npm error engine Not compatible with your version of node/npm: c@1.0.0',
        'npm error notsup Not compatible with your version of node/npm: c@1.0.0',
        'npm error notsup Required: {"node":">=99"}',
        'npm error notsup Actual:   {"node":"v20.20.2","npm":"11.19.1"}'
      ]
    },
    {
      name: 'npm 6 and pnpm spellings',
      output:
        'npm ERR! code ETARGET\nnpm ERR! notarget No matching version found for left-pad@^9.\nnpm ERR!\n\n ERR_PNPM_OUTDATED_LOCKFILE  Cannot install with "frozen-lockfile"\n',
      lines: [
        'npm ERR! code ETARGET',
        'npm ERR! notarget No matching version found for left-pad@^9.',
        ' ERR_PNPM_OUTDATED_LOCKFILE  Cannot install with "frozen-lockfile"'
      ]
    },
    { name: 'nothing recognised', output: 'Traceback (most recent call last):\n  File "x.py", line 1\nKeyError: 1\n', lines: [] }
  ])('$name', ({ output, lines }) => {
    expect(keyLines(output)).toEqual(lines);
  });

  test('colour codes are removed, repeats shown once, a long build log cut to its ends, at most `max` lines', () => {
    expect(keyLines('\u001b[31mERROR: x\u001b[0m\nERROR: x\n')).toEqual(['ERROR: x']);
    const build = [
      '  × Building wheel for lxml did not run successfully.',
      ...Array.from({ length: 30 }, (_, i) => `      line ${i}`),
      '      [end of output]'
    ];
    const shown = keyLines(build.join('\n'));
    expect(shown).toHaveLength(11);
    expect(shown.slice(0, 3)).toEqual(['  × Building wheel for lxml did not run successfully.', '      line 0', '  …']);
    expect(shown.at(-1)).toBe('      [end of output]');
    const many = Array.from({ length: 30 }, (_, i) => `ERROR: line ${i}`).join('\n');
    expect(keyLines(many, undefined, 5)).toEqual(['ERROR: line 25', 'ERROR: line 26', 'ERROR: line 27', 'ERROR: line 28', 'ERROR: line 29']);
  });

  test('property: every line shown is a line of the output (trimmed at the end), or the cut mark', () => {
    const pieces = [pipNoMatch, pipConflict, pipBuild, npm404, npmEresolve, 'random text', '', 'WARNING: Retrying (x)'];
    let seed = 7;
    const next = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let run = 0; run < 200; run++) {
      const output = Array.from({ length: 1 + next(5) }, () => pieces[next(pieces.length)].split('\n').slice(next(4)).join('\n')).join('\n');
      const lines = new Set(output.split('\n').map((line) => line.trimEnd()));
      for (const shown of keyLines(output)) expect(shown === '  …' || lines.has(shown)).toBe(true);
      expect(keyLines(output).some((line) => /Retrying|is ignored|complete log/.test(line))).toBe(false);
    }
  });
});

describe('explainPipFailure', () => {
  test.each([
    [pipNoMatch, 'pip found no release of nosuchpkg-xyz==1.0 on the package index (No matching distribution found)'],
    [pipConflict, 'conflicting requirements: pytest==8.4.2 and pytest==9.1.1 cannot all be installed (ResolutionImpossible)'],
    [pipBuild, "a package failed to build: Failed to build 'file:///project/bad' when getting requirements to build editable"],
    [pipNoGroup, 'this pip does not know dependency groups (--group needs pip 25.1 or later)'],
    [
      "ERROR: Could not open requirements file: [Errno 2] No such file or directory: 'r.txt'",
      "Could not open requirements file: [Errno 2] No such file or directory: 'r.txt'"
    ],
    ['Traceback (most recent call last):\nKeyError', undefined]
  ])('%#', (output, sentence) => {
    expect(explainPipFailure(output)).toBe(sentence);
  });
});
