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
  'names = ["pytest", "pytest_cov", "coverage", "flake8", "ruff", "django", "pytest_django"]',
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
  django?: boolean;
  pytest_django?: boolean;
  /** Set when the answer did not cover Django's tools: a record written by an earlier probe. */
  djangoUnknown?: true;
}

export interface ProbedTools {
  prefix?: string;
  tools: PythonTools;
}

const PROBED = ['pytest', 'pytest_cov', 'coverage', 'flake8', 'ruff'] as const;
type ProbedName = (typeof PROBED)[number] | 'django' | 'pytest_django';
const prefixOf = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * The probe's answer (or the record of it kept in the environment). A record from before Django's
 * tools were probed does not say they are absent: it is marked, and the test plan then lets the
 * runner look when the tests run.
 */
export function parseTools(stdout: string): ProbedTools {
  const none: PythonTools = { pytest: false, pytest_cov: false, coverage: false, flake8: false, ruff: false };
  try {
    const probed = JSON.parse(lastLine(stdout)) as { prefix?: unknown; tools?: Partial<PythonTools> };
    const answer = (name: ProbedName): boolean | undefined => {
      const value = probed.tools?.[name];
      return typeof value === 'boolean' ? value : undefined;
    };
    const tools: PythonTools = { ...none };
    for (const name of PROBED) tools[name] = answer(name) ?? none[name];
    const django = answer('django');
    const pytestDjango = answer('pytest_django');
    if (django === undefined || pytestDjango === undefined) return { prefix: prefixOf(probed.prefix), tools: { ...tools, djangoUnknown: true } };
    return { prefix: prefixOf(probed.prefix), tools: { ...tools, django, pytest_django: pytestDjango } };
  } catch {
    return { tools: { ...none, djangoUnknown: true } };
  }
}
