// Which tools a Node project has installed: the test and lint plans pick their commands from this.
import type { ProjectFiles } from '../ecosystem.js';
import { readPackageJson, stringRecord } from './package-json.js';

/** Files that show a tool is installed (relative to the project root); the stage checks existence. */
export const NODE_TOOL_MARKERS = {
  jest: 'node_modules/jest/package.json',
  vitest: 'node_modules/vitest/package.json',
  vitestCoverage: ['node_modules/@vitest/coverage-v8/package.json', 'node_modules/@vitest/coverage-istanbul/package.json'],
  eslint: 'node_modules/eslint/package.json',
  mocha: 'node_modules/mocha/package.json',
  c8: 'node_modules/c8/package.json',
  nyc: 'node_modules/nyc/package.json'
} as const;

export interface NodeTools {
  jest: boolean;
  vitest: boolean;
  vitestCoverage: boolean;
  eslint: boolean;
  /** mocha, c8, nyc: absent means not installed. */
  mocha?: boolean;
  /** Coverage for mocha. */
  c8?: boolean;
  nyc?: boolean;
}

/**
 * Which tools package.json declares (dependencies or devDependencies). Under Yarn Plug'n'Play there
 * is no node_modules to look in, and a tool the project does not declare cannot load anyway.
 */
export function declaredNodeTools(files: ProjectFiles): NodeTools {
  const pkg = readPackageJson(files);
  const names = new Set([...Object.keys(stringRecord(pkg?.dependencies)), ...Object.keys(stringRecord(pkg?.devDependencies))]);
  return {
    jest: names.has('jest'),
    vitest: names.has('vitest'),
    vitestCoverage: names.has('@vitest/coverage-v8') || names.has('@vitest/coverage-istanbul'),
    eslint: names.has('eslint'),
    mocha: names.has('mocha'),
    c8: names.has('c8'),
    nyc: names.has('nyc')
  };
}

/** Which tools the installed tree has, given an existence check on project-relative paths. */
export function nodeTools(exists: (relativePath: string) => boolean): NodeTools {
  return {
    jest: exists(NODE_TOOL_MARKERS.jest),
    vitest: exists(NODE_TOOL_MARKERS.vitest),
    vitestCoverage: NODE_TOOL_MARKERS.vitestCoverage.some(exists),
    eslint: exists(NODE_TOOL_MARKERS.eslint),
    mocha: exists(NODE_TOOL_MARKERS.mocha),
    c8: exists(NODE_TOOL_MARKERS.c8),
    nyc: exists(NODE_TOOL_MARKERS.nyc)
  };
}
