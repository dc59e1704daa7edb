// The Node ecosystem: npm, yarn or pnpm from the lockfile; jest, vitest, mocha or node --test through
// the `test` script; eslint or the `lint` script.
import type { Ecosystem } from '../ecosystem.js';
import { isNodeTestFile } from '../test-files.js';
import { installNode, type NodeData } from './environment.js';
import { installedNodePackages } from './installed.js';
import { ADD_NODE_LINTER, planNodeLint } from './lint.js';
import { detectNodeTestRunner } from './scripts.js';
import { planNodeTests } from './tests.js';

export const node: Ecosystem<NodeData> = {
  name: 'node',
  detect: (files) => files.list('').includes('package.json'),
  planInstall: installNode,
  planTests: ({ root, data }, { config, reportDir, hostEnv }) =>
    planNodeTests({
      manager: data.runner,
      scripts: data.scripts,
      runner: detectNodeTestRunner(data.scripts.test, data.tools, data.scripts),
      reportDir,
      root,
      coverage: config.coverage,
      hasVitestCoverage: data.tools.vitestCoverage,
      hasC8: data.tools.c8,
      hasNyc: data.tools.nyc,
      pnp: data.pnp,
      testCommand: config.testCommand,
      testReportPatterns: config.testReportPatterns,
      nodeOptions: hostEnv.NODE_OPTIONS,
      nodeCoverageInOptions: data.nodeCoverageInOptions
    }),
  planLint: ({ root, data }, { config, files }) =>
    planNodeLint({ manager: data.runner, scripts: data.scripts, hasEslint: data.tools.eslint, root, lintCommand: config.lintCommand, files, pnp: data.pnp }),
  addLinter: ADD_NODE_LINTER,
  isTestFile: isNodeTestFile,
  listInstalled: ({ root, data }, files) => installedNodePackages(root, data.pnp, files)
};
