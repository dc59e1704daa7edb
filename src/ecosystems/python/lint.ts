// How a Python project is linted: ruff, else flake8, else the user's lint-command.
import type { Config } from '../../config.js';
import { parseFlake8, parseRuffJson } from '../../reports/findings.js';
import type { LintPlan } from '../ecosystem.js';
import { customLintPlan } from '../shared.js';
import type { PythonData } from './environment.js';
import type { PythonTools } from './tools.js';

/** Folders a linter must never read: environments, build output, caches. */
const NEVER_LINTED = ['.venv', 'venv', '.tox', '.nox', 'build', 'dist', 'node_modules', '.eggs', '__pycache__'];

export const ADD_PYTHON_LINTER = 'Add ruff (or flake8) to your dev requirements to lint on every run.';

/** Pure: which linter runs and how; undefined when the project has none. */
export function planPythonLint(
  config: Pick<Config, 'lintCommand'>,
  tools: PythonTools,
  environment: Pick<PythonData, 'python' | 'venv'>
): LintPlan | undefined {
  if (config.lintCommand) return customLintPlan(config.lintCommand);
  if (tools.ruff) {
    // ruff reads the project's own configuration and already skips the usual environment folders.
    return {
      linter: 'ruff',
      command: { command: `${environment.venv}/bin/ruff`, args: ['check', '--output-format=json', '--no-cache', '.'] },
      okExitCodes: [0, 1],
      parse: parseRuffJson
    };
  }
  if (tools.flake8) {
    // --extend-exclude adds to the project's own exclude list instead of replacing it.
    return {
      linter: 'flake8',
      command: { command: environment.python, args: ['-m', 'flake8', `--extend-exclude=${NEVER_LINTED.join(',')}`, '.'] },
      okExitCodes: [0, 1],
      parse: parseFlake8
    };
  }
  return undefined;
}
