// Table-driven tests of the jest --json parser over real reports captured from examples/node-app,
// plus fuzzing: no input may make it throw or produce impossible numbers.

import { describe, expect, test } from '@jest/globals';
import { parseJestJson } from '../../src/reports/jest.js';
import { byteString, expectSaneTestResults, mutations, pick, random, times, tokenSoup, type Random } from '../fixtures/fuzz.js';

// The example project was copied to /tmp/work/shop/examples/node-app (repository root /tmp/work/shop)
// and run with `npm test -- --ci --json --outputFile=… --testLocationInResults` (jest 30.5.2, Node 20).
const REPO = '/tmp/work/shop';
const PROJECT = '/tmp/work/shop/examples/node-app';
const paths = { projectRoot: PROJECT, repositoryRoot: REPO };

// Verbatim reports (JSON is a JS literal; JSON.stringify gives back jest's own compact text).
// One test broken: `expect(res.status).toBe(200)` where the API answers 201.
const ONE_BROKEN = JSON.stringify({
  numFailedTestSuites: 1,
  numFailedTests: 1,
  numPassedTestSuites: 0,
  numPassedTests: 4,
  numPendingTestSuites: 0,
  numPendingTests: 0,
  numRuntimeErrorTestSuites: 0,
  numTodoTests: 0,
  numTotalTestSuites: 1,
  numTotalTests: 5,
  openHandles: [],
  snapshot: {
    added: 0,
    didUpdate: false,
    failure: false,
    filesAdded: 0,
    filesRemoved: 0,
    filesRemovedList: [],
    filesUnmatched: 0,
    filesUpdated: 0,
    matched: 0,
    total: 0,
    unchecked: 0,
    uncheckedKeysByFile: [],
    unmatched: 0,
    updated: 0
  },
  startTime: 1795310735183,
  success: false,
  testResults: [
    {
      assertionResults: [
        {
          ancestorTitles: ['http api'],
          duration: 71,
          failing: false,
          failureDetails: [],
          failureMessages: [],
          fullName: 'http api GET /health answers ok',
          invocations: 1,
          location: { column: 3, line: 17 },
          numPassingAsserts: 2,
          retryMessages: [],
          retryReasons: [],
          status: 'passed',
          title: 'GET /health answers ok',
          startAt: 1795310735610
        },
        {
          ancestorTitles: ['http api'],
          duration: 13,
          failing: false,
          failureDetails: [],
          failureMessages: [],
          fullName: 'http api GET /items/:id returns an item, 404 for an unknown one',
          invocations: 1,
          location: { column: 3, line: 23 },
          numPassingAsserts: 2,
          retryMessages: [],
          retryReasons: [],
          status: 'passed',
          title: 'GET /items/:id returns an item, 404 for an unknown one',
          startAt: 1795310735687
        },
        {
          ancestorTitles: ['http api'],
          duration: 19,
          failing: false,
          failureDetails: [
            {
              matcherResult: {
                actual: 201,
                expected: 200,
                message: 'expect(received).toBe(expected) // Object.is equality\n\nExpected: 200\nReceived: 201',
                name: 'toBe',
                pass: false
              }
            }
          ],
          failureMessages: [
            'Error: expect(received).toBe(expected) // Object.is equality\n\nExpected: 200\nReceived: 201\n    at Object.toBe (/tmp/work/shop/examples/node-app/test/app.test.js:30:24)\n    at processTicksAndRejections (node:internal/process/task_queues:95:5)'
          ],
          fullName: 'http api POST /items adds an item',
          invocations: 1,
          location: { column: 3, line: 28 },
          numPassingAsserts: 0,
          retryMessages: [],
          retryReasons: [],
          status: 'failed',
          title: 'POST /items adds an item',
          startAt: 1795310735701
        },
        {
          ancestorTitles: ['validateItem'],
          duration: 1,
          failing: false,
          failureDetails: [],
          failureMessages: [],
          fullName: 'validateItem {"name":"rope","quantity":1} → []',
          invocations: 1,
          location: { column: 5, line: 39 },
          numPassingAsserts: 1,
          retryMessages: [],
          retryReasons: [],
          status: 'passed',
          title: '{"name":"rope","quantity":1} → []',
          startAt: 1795310735722
        },
        {
          ancestorTitles: ['validateItem'],
          duration: 1,
          failing: false,
          failureDetails: [],
          failureMessages: [],
          fullName: 'validateItem {"name":"","quantity":-1} → ["name is required","quantity must be a whole number >= 0"]',
          invocations: 1,
          location: { column: 5, line: 39 },
          numPassingAsserts: 1,
          retryMessages: [],
          retryReasons: [],
          status: 'passed',
          title: '{"name":"","quantity":-1} → ["name is required","quantity must be a whole number >= 0"]',
          startAt: 1795310735726
        }
      ],
      endTime: 1795310735752,
      message:
        "  ● http api › POST /items adds an item\n\n    expect(received).toBe(expected) // Object.is equality\n\n    Expected: 200\n    Received: 201\n\n      28 |   test('POST /items adds an item', async () => {\n      29 |     const res = await fetch(`${base}/items`, { method: 'POST', body: JSON.stringify({ name: 'rope', quantity: 10 }) });\n    > 30 |     expect(res.status).toBe(200);\n         |                        ^\n      31 |     expect(await res.json()).toMatchObject({ name: 'rope', quantity: 10 });\n      32 |   });\n      33 | });\n\n      at Object.toBe (test/app.test.js:30:24)\n",
      name: '/tmp/work/shop/examples/node-app/test/app.test.js',
      startTime: 1795310735316,
      status: 'failed',
      summary: ''
    }
  ],
  wasInterrupted: false
});

// Plus test/extra.test.js (a top-level test, test.skip, test.todo, a failure two describes deep) and
// test/broken.test.js, which requires a module that does not exist.
const MIXED = JSON.stringify({
  numFailedTestSuites: 3,
  numFailedTests: 2,
  numPassedTestSuites: 0,
  numPassedTests: 5,
  numPendingTestSuites: 0,
  numPendingTests: 1,
  numRuntimeErrorTestSuites: 1,
  numTodoTests: 1,
  numTotalTestSuites: 3,
  numTotalTests: 9,
  openHandles: [],
  snapshot: {
    added: 0,
    didUpdate: false,
    failure: false,
    filesAdded: 0,
    filesRemoved: 0,
    filesRemovedList: [],
    filesUnmatched: 0,
    filesUpdated: 0,
    matched: 0,
    total: 0,
    unchecked: 0,
    uncheckedKeysByFile: [],
    unmatched: 0,
    updated: 0
  },
  startTime: 1795310736508,
  success: false,
  testResults: [
    {
      assertionResults: [
        {
          ancestorTitles: ['http api'],
          duration: 69,
          failing: false,
          failureDetails: [],
          failureMessages: [],
          fullName: 'http api GET /health answers ok',
          invocations: 1,
          location: { column: 3, line: 17 },
          numPassingAsserts: 2,
          retryMessages: [],
          retryReasons: [],
          status: 'passed',
          title: 'GET /health answers ok',
          startAt: 1795310736829
        },
        {
          ancestorTitles: ['http api'],
          duration: 11,
          failing: false,
          failureDetails: [],
          failureMessages: [],
          fullName: 'http api GET /items/:id returns an item, 404 for an unknown one',
          invocations: 1,
          location: { column: 3, line: 23 },
          numPassingAsserts: 2,
          retryMessages: [],
          retryReasons: [],
          status: 'passed',
          title: 'GET /items/:id returns an item, 404 for an unknown one',
          startAt: 1795310736915
        },
        {
          ancestorTitles: ['http api'],
          duration: 17,
          failing: false,
          failureDetails: [
            {
              matcherResult: {
                actual: 201,
                expected: 200,
                message: 'expect(received).toBe(expected) // Object.is equality\n\nExpected: 200\nReceived: 201',
                name: 'toBe',
                pass: false
              }
            }
          ],
          failureMessages: [
            'Error: expect(received).toBe(expected) // Object.is equality\n\nExpected: 200\nReceived: 201\n    at Object.toBe (/tmp/work/shop/examples/node-app/test/app.test.js:30:24)\n    at processTicksAndRejections (node:internal/process/task_queues:95:5)'
          ],
          fullName: 'http api POST /items adds an item',
          invocations: 1,
          location: { column: 3, line: 28 },
          numPassingAsserts: 0,
          retryMessages: [],
          retryReasons: [],
          status: 'failed',
          title: 'POST /items adds an item',
          startAt: 1795310736927
        },
        {
          ancestorTitles: ['validateItem'],
          duration: 1,
          failing: false,
          failureDetails: [],
          failureMessages: [],
          fullName: 'validateItem {"name":"rope","quantity":1} → []',
          invocations: 1,
          location: { column: 5, line: 39 },
          numPassingAsserts: 1,
          retryMessages: [],
          retryReasons: [],
          status: 'passed',
          title: '{"name":"rope","quantity":1} → []',
          startAt: 1795310736946
        },
        {
          ancestorTitles: ['validateItem'],
          duration: 1,
          failing: false,
          failureDetails: [],
          failureMessages: [],
          fullName: 'validateItem {"name":"","quantity":-1} → ["name is required","quantity must be a whole number >= 0"]',
          invocations: 1,
          location: { column: 5, line: 39 },
          numPassingAsserts: 1,
          retryMessages: [],
          retryReasons: [],
          status: 'passed',
          title: '{"name":"","quantity":-1} → ["name is required","quantity must be a whole number >= 0"]',
          startAt: 1795310736949
        }
      ],
      endTime: 1795310736981,
      message:
        "  ● http api › POST /items adds an item\n\n    expect(received).toBe(expected) // Object.is equality\n\n    Expected: 200\n    Received: 201\n\n      28 |   test('POST /items adds an item', async () => {\n      29 |     const res = await fetch(`${base}/items`, { method: 'POST', body: JSON.stringify({ name: 'rope', quantity: 10 }) });\n    > 30 |     expect(res.status).toBe(200);\n         |                        ^\n      31 |     expect(await res.json()).toMatchObject({ name: 'rope', quantity: 10 });\n      32 |   });\n      33 | });\n\n      at Object.toBe (test/app.test.js:30:24)\n",
      name: '/tmp/work/shop/examples/node-app/test/app.test.js',
      startTime: 1795310736671,
      status: 'failed',
      summary: ''
    },
    {
      assertionResults: [
        {
          ancestorTitles: [],
          duration: 4,
          failing: false,
          failureDetails: [],
          failureMessages: [],
          fullName: 'top-level test',
          invocations: 1,
          location: { column: 1, line: 3 },
          numPassingAsserts: 1,
          retryMessages: [],
          retryReasons: [],
          status: 'passed',
          title: 'top-level test',
          startAt: 1795310737299
        },
        {
          ancestorTitles: [],
          duration: null,
          failing: false,
          failureDetails: [],
          failureMessages: [],
          fullName: 'skipped test',
          invocations: 1,
          location: { column: 6, line: 7 },
          numPassingAsserts: 0,
          retryMessages: [],
          retryReasons: [],
          status: 'pending',
          title: 'skipped test',
          startAt: 1795310737306
        },
        {
          ancestorTitles: [],
          duration: null,
          failing: false,
          failureDetails: [],
          failureMessages: [],
          fullName: 'write this test',
          invocations: 1,
          location: { column: 6, line: 11 },
          numPassingAsserts: 0,
          retryMessages: [],
          retryReasons: [],
          status: 'todo',
          title: 'write this test',
          startAt: 1795310737306
        },
        {
          ancestorTitles: ['outer', 'inner'],
          duration: 5,
          failing: false,
          failureDetails: [{}],
          failureMessages: [
            'TypeError: boom\n    at Object.<anonymous> (/tmp/work/shop/examples/node-app/test/extra.test.js:16:13)\n    at Promise.finally.completed (/tmp/work/shop/examples/node-app/node_modules/jest-circus/build/jestAdapterInit.js:1834:28)\n    at new Promise (<anonymous>)\n    at callAsyncCircusFn (/tmp/work/shop/examples/node-app/node_modules/jest-circus/build/jestAdapterInit.js:1774:10)\n    at _callCircusTest (/tmp/work/shop/examples/node-app/node_modules/jest-circus/build/jestAdapterInit.js:1167:40)\n    at _runTestInContext (/tmp/work/shop/examples/node-app/node_modules/jest-circus/build/jestAdapterInit.js:1103:3)\n    at runTestWithContext (/tmp/work/shop/examples/node-app/node_modules/jest-circus/build/jestAdapterInit.js:996:5)\n    at _runTestsForDescribeBlockOnce (/tmp/work/shop/examples/node-app/node_modules/jest-circus/build/jestAdapterInit.js:1008:11)\n    at _runTestsForDescribeBlock (/tmp/work/shop/examples/node-app/node_modules/jest-circus/build/jestAdapterInit.js:824:5)\n    at _runTestsForDescribeBlockOnce (/tmp/work/shop/examples/node-app/node_modules/jest-circus/build/jestAdapterInit.js:1003:11)\n    at _runTestsForDescribeBlock (/tmp/work/shop/examples/node-app/node_modules/jest-circus/build/jestAdapterInit.js:824:5)\n    at _runTestsForDescribeBlockOnce (/tmp/work/shop/examples/node-app/node_modules/jest-circus/build/jestAdapterInit.js:1003:11)\n    at _runTestsForDescribeBlock (/tmp/work/shop/examples/node-app/node_modules/jest-circus/build/jestAdapterInit.js:824:5)\n    at run (/tmp/work/shop/examples/node-app/node_modules/jest-circus/build/jestAdapterInit.js:789:3)\n    at runAndTransformResultsToJestFormat (/tmp/work/shop/examples/node-app/node_modules/jest-circus/build/jestAdapterInit.js:2300:21)\n    at jestAdapter (/tmp/work/shop/examples/node-app/node_modules/jest-circus/build/runner.js:111:19)\n    at runTestInternal (/tmp/work/shop/examples/node-app/node_modules/jest-runner/build/index.js:247:16)\n    at runTest (/tmp/work/shop/examples/node-app/node_modules/jest-runner/build/index.js:315:7)'
          ],
          fullName: 'outer inner deep failure',
          invocations: 1,
          location: { column: 5, line: 15 },
          numPassingAsserts: 0,
          retryMessages: [],
          retryReasons: [],
          status: 'failed',
          title: 'deep failure',
          startAt: 1795310737308
        }
      ],
      endTime: 1795310737353,
      message:
        "  ● outer › inner › deep failure\n\n    TypeError: boom\n\n      14 |   describe('inner', () => {\n      15 |     test('deep failure', () => {\n    > 16 |       throw new TypeError('boom');\n         |             ^\n      17 |     });\n      18 |   });\n      19 | });\n\n      at Object.<anonymous> (test/extra.test.js:16:13)\n",
      name: '/tmp/work/shop/examples/node-app/test/extra.test.js',
      startTime: 1795310736993,
      status: 'failed',
      summary: ''
    },
    {
      assertionResults: [],
      coverage: {},
      endTime: 1795310737527,
      message:
        "  ● Test suite failed to run\n\n    Cannot find module '../src/does-not-exist' from 'test/broken.test.js'\n\n      1 | 'use strict';\n      2 |\n    > 3 | const { missing } = require('../src/does-not-exist');\n        |                     ^\n      4 |\n      5 | test('never runs', () => {\n      6 |   expect(missing).toBeDefined();\n\n      at Resolver._throwModNotFoundError (node_modules/jest-resolve/build/index.js:1031:11)\n      at Object.require (test/broken.test.js:3:21)\n",
      name: '/tmp/work/shop/examples/node-app/test/broken.test.js',
      startTime: 1795310737527,
      status: 'failed',
      summary: ''
    }
  ],
  wasInterrupted: false
});

// An afterAll hook that throws (its test passed) and a file with no tests.
const HOOKS = JSON.stringify({
  numFailedTestSuites: 2,
  numFailedTests: 0,
  numPassedTestSuites: 0,
  numPassedTests: 1,
  numPendingTestSuites: 0,
  numPendingTests: 0,
  numRuntimeErrorTestSuites: 2,
  numTodoTests: 0,
  numTotalTestSuites: 2,
  numTotalTests: 1,
  openHandles: [],
  snapshot: {
    added: 0,
    didUpdate: false,
    failure: false,
    filesAdded: 0,
    filesRemoved: 0,
    filesRemovedList: [],
    filesUnmatched: 0,
    filesUpdated: 0,
    matched: 0,
    total: 0,
    unchecked: 0,
    uncheckedKeysByFile: [],
    unmatched: 0,
    updated: 0
  },
  startTime: 1795310751904,
  success: false,
  testResults: [
    {
      assertionResults: [
        {
          ancestorTitles: [],
          duration: 2,
          failing: false,
          failureDetails: [],
          failureMessages: [],
          fullName: 'fine',
          invocations: 1,
          location: { column: 1, line: 7 },
          numPassingAsserts: 1,
          retryMessages: [],
          retryReasons: [],
          status: 'passed',
          title: 'fine',
          startAt: 1795310752243
        }
      ],
      coverage: {},
      endTime: 1795310752346,
      message:
        "\n\n  ● Test suite failed to run\n\n    cleanup failed\n\n      2 |\n      3 | afterAll(() => {\n    > 4 |   throw new Error('cleanup failed');\n        |         ^\n      5 | });\n      6 |\n      7 | test('fine', () => {\n\n      at Object.<anonymous> (test/hook.test.js:4:9)\n",
      name: '/tmp/work/shop/examples/node-app/test/hook.test.js',
      startTime: 1795310752346,
      status: 'failed',
      summary: ''
    },
    {
      assertionResults: [],
      coverage: {},
      endTime: 1795310752346,
      message:
        '  ● Test suite failed to run\n\n    Your test suite must contain at least one test.\n\n      at onResult (node_modules/@jest/core/build/index.js:1054:18)\n      at node_modules/emittery/index.js:363:13\n          at Array.map (<anonymous>)\n      at Emittery.emit (node_modules/emittery/index.js:361:23)\n',
      name: '/tmp/work/shop/examples/node-app/test/empty.test.js',
      startTime: 1795310752346,
      status: 'failed',
      summary: ''
    }
  ],
  wasInterrupted: false
});

describe('parseJestJson: real reports', () => {
  test('one failing test among five', () => {
    const { results, warnings } = parseJestJson(ONE_BROKEN, paths);
    expect(warnings).toEqual([]);
    expect(results).toMatchObject({ passed: 4, failed: 1, skipped: 0, total: 5, durationMs: 569 });
    const failed = results.cases.find((c) => c.outcome === 'failed');
    expect(failed).toEqual({
      name: 'http api > POST /items adds an item',
      classname: 'test/app.test.js',
      file: 'examples/node-app/test/app.test.js',
      line: 30, // the failing assertion (the stack frame), not where the test starts (28)
      durationMs: 19,
      outcome: 'failed',
      message: 'Error: expect(received).toBe(expected) // Object.is equality',
      details: expect.stringContaining('Received: 201')
    });
    expect(results.cases[0]).toEqual({
      name: 'http api > GET /health answers ok',
      classname: 'test/app.test.js',
      file: 'examples/node-app/test/app.test.js',
      line: 17,
      durationMs: 71,
      outcome: 'passed'
    });
  });

  test('skips, todos, nesting and a file that does not load', () => {
    const { results, warnings } = parseJestJson(MIXED, paths);
    expect(warnings).toEqual([]);
    expect(results).toMatchObject({ passed: 5, failed: 3, skipped: 2, total: 10 });
    const byName = new Map(results.cases.map((c) => [c.name, c]));
    expect(byName.get('top-level test')).toMatchObject({ outcome: 'passed', line: 3, classname: 'test/extra.test.js' });
    expect(byName.get('skipped test')).toMatchObject({ outcome: 'skipped', line: 7 });
    expect(byName.get('write this test')).toMatchObject({ outcome: 'skipped', message: 'todo' });
    expect(byName.get('outer > inner > deep failure')).toMatchObject({ outcome: 'failed', line: 16, message: 'TypeError: boom' });
    expect(byName.get('Test suite failed to run')).toMatchObject({
      outcome: 'error', // the suite did not run: one error, not a failed test
      classname: 'test/broken.test.js',
      file: 'examples/node-app/test/broken.test.js',
      line: 3, // from `at Object.require (test/broken.test.js:3:21)`, relative to the project
      message: "Cannot find module '../src/does-not-exist' from 'test/broken.test.js'"
    });
  });

  test('a hook that throws fails its file; a file without tests fails too', () => {
    const { results } = parseJestJson(HOOKS, paths);
    expect(results).toMatchObject({ passed: 1, failed: 2, skipped: 0, total: 3 });
    const [fine, hook, empty] = results.cases;
    expect(fine).toMatchObject({ name: 'fine', outcome: 'passed', line: 7 });
    expect(hook).toMatchObject({
      name: 'Test suite failed to run',
      outcome: 'error',
      line: 4,
      message: 'cleanup failed',
      file: 'examples/node-app/test/hook.test.js'
    });
    expect(empty).toMatchObject({ outcome: 'error', message: 'Your test suite must contain at least one test.' });
    expect(empty?.line).toBeUndefined(); // its frames are all in node_modules
  });

  test('without path options files stay as jest printed them', () => {
    const { results } = parseJestJson(ONE_BROKEN);
    expect(results.cases[0]).toMatchObject({ file: `${PROJECT}/test/app.test.js`, classname: `${PROJECT}/test/app.test.js`, line: 17 });
  });

  test('a project root given relative to the repository', () => {
    const { results } = parseJestJson(ONE_BROKEN, { projectRoot: 'examples/node-app' });
    expect(results.cases[2]).toMatchObject({ line: 30, outcome: 'failed' });
  });
});

describe('parseJestJson: shapes and text', () => {
  const report = (assertions: unknown[], file: Record<string, unknown> = {}): string =>
    JSON.stringify({
      startTime: 1000,
      testResults: [{ name: `${PROJECT}/t.test.js`, status: 'passed', endTime: 1250, assertionResults: assertions, ...file }]
    });

  test.each<[string, unknown, string]>([
    ['passed', 'passed', 'passed'],
    ['failed', 'failed', 'failed'],
    ['pending (test.skip)', 'pending', 'skipped'],
    ['skipped', 'skipped', 'skipped'],
    ['todo', 'todo', 'skipped'],
    ['disabled', 'disabled', 'skipped'],
    ['focused', 'focused', 'passed'],
    ['unknown status', 'weird', 'skipped']
  ])('status %s', (_, status, outcome) => {
    const { results } = parseJestJson(report([{ title: 't', status }]), paths);
    expect(results.cases[0]?.outcome).toBe(outcome);
  });

  test('an unknown status with failure messages is a failure', () => {
    const { results } = parseJestJson(report([{ title: 't', status: 'weird', failureMessages: ['Error: x'] }]), paths);
    expect(results.cases[0]).toMatchObject({ outcome: 'failed', message: 'Error: x' });
  });

  test('colours are stripped from messages', () => {
    const { results } = parseJestJson(
      report([{ title: 't', status: 'failed', failureMessages: ['\u001b[31mError: red\u001b[39m\n    at x (/a/b.js:1:1)'] }]),
      paths
    );
    expect(results.cases[0]?.message).toBe('Error: red');
    expect(results.cases[0]?.details).not.toContain('\u001b');
  });

  test('fullName when there is no title; wall time from the report', () => {
    const { results } = parseJestJson(report([{ fullName: 'suite works', status: 'passed', duration: null }]), paths);
    expect(results.cases[0]).toMatchObject({ name: 'suite works', durationMs: 0 });
    expect(results.durationMs).toBe(250);
  });

  test('a failed file whose failures are already cases adds nothing', () => {
    const { results } = parseJestJson(
      report([{ title: 't', status: 'failed', failureMessages: ['boom'] }], { status: 'failed', message: '● t\n\n boom' }),
      paths
    );
    expect(results.total).toBe(1);
  });

  test('testExecError without a message still fails the file', () => {
    const { results } = parseJestJson(report([], { status: 'failed', message: '', testExecError: { message: 'SyntaxError: Unexpected token' } }), paths);
    expect(results.cases).toEqual([
      expect.objectContaining({
        name: 'Test suite failed to run',
        outcome: 'error',
        message: 'SyntaxError: Unexpected token',
        file: 'examples/node-app/t.test.js'
      })
    ]);
  });

  test('jest --json on stdout after console output', () => {
    const { results, warnings } = parseJestJson(`console.log\n  hello\n${ONE_BROKEN}\n`, paths);
    expect(warnings).toEqual([]);
    expect(results.total).toBe(5);
  });

  test('no tests at all', () => {
    const { results, warnings } = parseJestJson(JSON.stringify({ numTotalTests: 0, testResults: [], success: false }), paths);
    expect(results.total).toBe(0);
    expect(warnings).toEqual([]);
  });

  test('an interrupted run says so', () => {
    const { warnings } = parseJestJson(JSON.stringify({ testResults: [], wasInterrupted: true }), paths);
    expect(warnings).toEqual([expect.stringMatching(/interrupted/)]);
  });
});

describe('parseJestJson: bad input never throws', () => {
  test.each<[string, unknown, RegExp]>([
    ['empty', '', /empty/],
    ['blank', ' \n\t', /empty/],
    ['not JSON', 'PASS test/app.test.js', /not valid JSON/],
    ['truncated', ONE_BROKEN.slice(0, 500), /not valid JSON/],
    ['an array', '[]', /no testResults/],
    ['null', 'null', /no testResults/],
    ['testResults not a list', '{"testResults": 5}', /no testResults/],
    ['a number instead of text', 42, /no testResults/],
    ['undefined', undefined, /empty/]
  ])('%s', (_, input, warning) => {
    const { results, warnings } = parseJestJson(input as string, paths);
    expect(results.total).toBe(0);
    expect(warnings).toEqual([expect.stringMatching(warning)]);
  });

  test('entries of the wrong type are skipped', () => {
    const { results, warnings } = parseJestJson(
      JSON.stringify({ testResults: [null, 3, 'x', { assertionResults: [null, 1, { title: 'ok', status: 'passed' }] }] }),
      paths
    );
    expect(results.total).toBe(1);
    expect(warnings).toEqual([expect.stringMatching(/ignored 3 test file entries/)]);
  });
});

// ---------------------------------------------------------------------------------------------
// Fuzzing: deterministic pseudo-random inputs; the parser must never throw and its numbers must
// always be finite, non-negative and consistent.

const JSONISH = [
  '{',
  '}',
  '[',
  ']',
  '"',
  ':',
  ',',
  'null',
  'true',
  '-1',
  '1e999',
  '"failed"',
  '"pending"',
  '"todo"',
  '"testResults"',
  '"assertionResults"',
  '"location"',
  '"line"',
  '\\u0000',
  '\\',
  '🚀',
  'é',
  '"__proto__"',
  '"constructor"',
  ' at x (/a.js:1:1)',
  '\n'
];

/** Replaces random values anywhere in a parsed report with values of the wrong type. */
function scramble(value: unknown, next: Random): unknown {
  const junk = [null, -1, 0, 1.5, 1e308, -Infinity, '', 'failed', 'todo', [], {}, { line: -3 }, ['x', 5], true, '\u001b[31m'];
  if (next() < 0.08) return pick(next, junk);
  if (Array.isArray(value)) return value.map((v) => scramble(v, next));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scramble(v, next)]));
  return value;
}

describe('parseJestJson: fuzz', () => {
  const fixtures = [ONE_BROKEN, MIXED, HOOKS];

  test('2,000 text mutations of real reports', () => {
    for (const text of mutations(fixtures, 2000, random(21), { tokens: JSONISH })) {
      const { results, warnings } = parseJestJson(text, paths);
      expectSaneTestResults(results, warnings);
    }
  });

  test('1,000 reports with values of the wrong type', () => {
    const next = random(22);
    const parsed = fixtures.map((f) => JSON.parse(f) as unknown);
    for (let i = 0; i < 1000; i += 1) {
      const { results, warnings } = parseJestJson(JSON.stringify(scramble(parsed[i % parsed.length], next)), paths);
      expectSaneTestResults(results, warnings);
    }
  });

  test('every truncation point of a report', () => {
    for (let cut = 0; cut < HOOKS.length; cut += 3) {
      const { results, warnings } = parseJestJson(HOOKS.slice(0, cut), paths);
      expectSaneTestResults(results, warnings);
      expect(warnings.length).toBeGreaterThan(0);
    }
  });

  test('1,000 JSON-ish token soups and 500 random byte strings', () => {
    const next = random(23);
    for (const tokens of times(1000, () => tokenSoup(next, JSONISH))) {
      const { results, warnings } = parseJestJson(`{"testResults":[${tokens}`, paths);
      expectSaneTestResults(results, warnings);
    }
    for (const bytes of times(500, () => byteString(next))) {
      const { results, warnings } = parseJestJson(bytes);
      expectSaneTestResults(results, warnings);
    }
  });
});

// jest 29, four files: a syntax error, an import that fails, a describe that throws, one passing test.
const SUITES_FAIL_TO_RUN = JSON.stringify({
  numFailedTestSuites: 3,
  numFailedTests: 0,
  numRuntimeErrorTestSuites: 3,
  numTotalTests: 1,
  startTime: 1796064690924,
  success: false,
  testResults: [
    {
      assertionResults: [],
      endTime: 1796064691672,
      message:
        "  ● Test suite failed to run\n\n    boom in describe\n\n    > 1 | describe('d', () => { throw new Error('boom in describe'); });\n        |                             ^\n      2 |\n\n      at t/describe.test.js:1:29\n      at Object.<anonymous> (t/describe.test.js:1:21)\n",
      name: '/tmp/work/shop/examples/node-app/t/describe.test.js',
      startTime: 1796064691672,
      status: 'failed'
    },
    {
      assertionResults: [],
      endTime: 1796064691672,
      message:
        "  ● Test suite failed to run\n\n    Cannot find module './missing' from 't/import.test.js'\n\n    > 1 | const m = require('./missing');\n        |                               ^\n      2 | test('b', () => {});\n      3 |\n\n      at Resolver._throwModNotFoundError (node_modules/jest-resolve/build/resolver.js:427:11)\n      at Object.<anonymous> (t/import.test.js:1:31)\n",
      name: '/tmp/work/shop/examples/node-app/t/import.test.js',
      startTime: 1796064691672,
      status: 'failed'
    },
    {
      assertionResults: [],
      endTime: 1796064691672,
      message:
        '  ● Test suite failed to run\n\n    Jest encountered an unexpected token\n\n    Jest failed to parse a file. This happens e.g. when your code or its dependencies use non-standard JavaScript syntax, or when Jest is not configured to support such syntax.\n\n    Out of the box Jest supports Babel, which will be used to transform your files into valid JS based on your Babel configuration.\n\n    By default "node_modules" folder is ignored by transformers.\n\n    Here\'s what you can do:\n     • If you are trying to use ECMAScript Modules, see https://jestjs.io/docs/ecmascript-modules for how to enable it.\n     • If you are trying to use TypeScript, see https://jestjs.io/docs/getting-started#using-typescript\n     • To have some of your "node_modules" files transformed, you can specify a custom "transformIgnorePatterns" in your config.\n     • If you need a custom transformation specify a "transform" option in your config.\n     • If you simply want to mock your non-JS modules (e.g. binary assets) you can stub them out with the "moduleNameMapper" config option.\n\n    You\'ll find more details and examples of these config options in the docs:\n    https://jestjs.io/docs/configuration\n    For information about custom transformations, see:\n    https://jestjs.io/docs/code-transformation\n\n    Details:\n\n    SyntaxError: /tmp/work/shop/examples/node-app/t/syntax.test.js: Unexpected token (3:10)\n\n      1 | const x = 1;\n      2 |\n    > 3 | const y = ;\n        |           ^\n      4 | test(\'a\', () => {});\n      5 |\n\n',
      name: '/tmp/work/shop/examples/node-app/t/syntax.test.js',
      startTime: 1796064691672,
      status: 'failed'
    },
    {
      assertionResults: [
        {
          ancestorTitles: [],
          duration: 2,
          failureMessages: [],
          fullName: 'ok',
          location: {
            column: 36,
            line: 1
          },
          status: 'passed',
          title: 'ok'
        }
      ],
      endTime: 1796064691658,
      message: '',
      name: '/tmp/work/shop/examples/node-app/t/ok.test.js',
      startTime: 1796064691606,
      status: 'passed'
    }
  ]
});

describe('parseJestJson: suites that fail to run', () => {
  test('one error per suite, at its file, with the cause; no failed tests', () => {
    const { results, warnings } = parseJestJson(SUITES_FAIL_TO_RUN, paths);
    expect(warnings).toEqual([]);
    expect(results).toMatchObject({ passed: 1, failed: 3, skipped: 0, total: 4 });
    const errors = results.cases.filter((c) => c.outcome === 'error');
    expect(errors.map((c) => [c.file, c.line, c.message])).toEqual([
      ['examples/node-app/t/describe.test.js', 1, 'boom in describe'],
      ['examples/node-app/t/import.test.js', 1, "Cannot find module './missing' from 't/import.test.js'"],
      // the cause after jest's advice; the line from the parse error (its frames are all in babel)
      ['examples/node-app/t/syntax.test.js', 3, `SyntaxError: ${PROJECT}/t/syntax.test.js: Unexpected token (3:10)`]
    ]);
    expect(errors.every((c) => c.name === 'Test suite failed to run' && c.details?.includes('Test suite failed to run'))).toBe(true);
    expect(results.cases.filter((c) => c.outcome === 'failed')).toEqual([]);
  });
});
