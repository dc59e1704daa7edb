// Probes run with an interpreter: what the cache key needs to know of it, and which tools an
// environment has (the test and lint plans pick their commands from this).
import { lastLine } from '../shared.js';

/** A Python script that prints what the cache key needs to know about an interpreter. */
export const INTERPRETER_PROBE = [
  'import json, os, platform, sys',
  'print(json.dumps({"implementation": platform.python_implementation().lower(),',
  ' "version": platform.python_version(), "executable": os.path.realpath(sys.executable)}))'
].join('\n');

export interface Interpreter {
  implementation: string;
  version: string;
  executable: string;
}

export function parseInterpreter(stdout: string): Interpreter | undefined {
  try {
    const value = JSON.parse(lastLine(stdout)) as Partial<Interpreter>;
    if (typeof value.implementation === 'string' && typeof value.version === 'string' && typeof value.executable === 'string') {
      return { implementation: value.implementation, version: value.version, executable: value.executable };
    }
  } catch {
    // not the probe's output
  }
  return undefined;
}

/** Which tools an environment has, and where its interpreter thinks it lives (a restored one must agree). */
export const TOOLS_PROBE = [
  'import importlib.util, json, sys, os',
  'names = ["pytest", "pytest_cov", "coverage", "flake8", "ruff"]',
  'found = {n: importlib.util.find_spec(n) is not None for n in names}',
  'found["ruff"] = found["ruff"] and os.path.exists(os.path.join(os.path.dirname(sys.executable), "ruff"))',
  'print(json.dumps({"prefix": sys.prefix, "tools": found}))'
].join('\n');

export interface PythonTools {
  pytest: boolean;
  pytest_cov: boolean;
  coverage: boolean;
  flake8: boolean;
  ruff: boolean;
}

export interface ProbedTools {
  prefix?: string;
  tools: PythonTools;
}

export function parseTools(stdout: string): ProbedTools {
  const none: PythonTools = { pytest: false, pytest_cov: false, coverage: false, flake8: false, ruff: false };
  try {
    const probed = JSON.parse(lastLine(stdout)) as { prefix?: unknown; tools?: Partial<PythonTools> };
    return { prefix: typeof probed.prefix === 'string' ? probed.prefix : undefined, tools: { ...none, ...probed.tools } };
  } catch {
    return { tools: none };
  }
}
