// The Python ecosystem: a virtualenv from requirements files, pyproject.toml, poetry or uv; pytest or
// unittest; ruff or flake8.
import type { Ecosystem } from '../ecosystem.js';
import { isPythonTestFile } from '../test-files.js';
import { installPython, type PythonData } from './environment.js';
import { installedPythonPackages } from './installed.js';
import { ADD_PYTHON_LINTER, planPythonLint } from './lint.js';
import { isPythonProject } from './project.js';
import { planPythonTests } from './tests.js';

export const python: Ecosystem<PythonData> = {
  name: 'python',
  detect: isPythonProject,
  planInstall: installPython,
  planTests: ({ data }, { config, reportDir }) => planPythonTests({ config, tools: data.tools, python: data.python, reportDir }),
  planLint: ({ data }, { config }) => planPythonLint(config, data.tools, data),
  addLinter: ADD_PYTHON_LINTER,
  isTestFile: isPythonTestFile,
  listInstalled: ({ data }, files) => installedPythonPackages(data.venv, files)
};
