/**
 * Python helpers for end-to-end tests.
 *
 * The CI machines have no internet but a local PyPI mirror configured as pip's EXTRA index
 * (`pip config get global.extra-index-url` -> `file:///opt/pypi/simple file:///opt/pypi-more/simple`;
 * read here with one `pip config list`).
 * pip still tries the default index (pypi.org) first and retries it for minutes, so a test that
 * lets the action run `pip install` must make the mirror THE index: PIP_INDEX_URL = the first
 * file:// mirror, PIP_EXTRA_INDEX_URL = the other configured extra indexes. Environment variables
 * override pip's config files and reach every pip the action runs (including the one inside the
 * virtual environment it creates). Other pip settings (find-links, constraints, cert) still come
 * from the machine's config. On a machine without such a mirror (a laptop with internet) this
 * returns {} and pip keeps its defaults.
 */
import { execFileSync } from 'node:child_process';

const memo = new Map<string, Record<string, string>>();

/**
 * pip's configuration as `pip config list` prints it (`global.extra-index-url='a b'` lines), one
 * pip start (~0.7 s) instead of one per key. Empty when pip is missing.
 */
export function pipConfig(python = defaultPython()): Record<string, string> {
  try {
    const out = execFileSync(python, ['-m', 'pip', 'config', 'list'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 30_000
    });
    const config: Record<string, string> = {};
    for (const line of out.split(/\r?\n/)) {
      const m = /^([^=\s]+)='(.*)'$/.exec(line.trim());
      if (m) config[m[1] ?? ''] = m[2] ?? '';
    }
    return config;
  } catch {
    return {};
  }
}

/**
 * Env vars that make pip install from the machine's local mirror only (see the file comment).
 * Memoized per interpreter.
 */
export function pipMirrorEnv(python = defaultPython()): Record<string, string> {
  const cached = memo.get(python);
  if (cached) return { ...cached };
  const env: Record<string, string> = {};
  const config = pipConfig(python);
  // A configured index-url already replaces pypi.org: nothing to fix.
  if (!config['global.index-url']) {
    const extra = (config['global.extra-index-url'] ?? '').split(/\s+/).filter(Boolean);
    const mirror = extra.find((url) => url.startsWith('file:'));
    if (mirror) {
      env['PIP_INDEX_URL'] = mirror;
      // Set even when empty: it overrides the config file, which would list `mirror` a second time.
      env['PIP_EXTRA_INDEX_URL'] = extra.filter((url) => url !== mirror).join(' ');
      env['PIP_DISABLE_PIP_VERSION_CHECK'] = '1';
      const findLinks = config['global.find-links'];
      if (findLinks) env['PIP_FIND_LINKS'] = findLinks;
    }
  }
  memo.set(python, env);
  return { ...env };
}

/** The interpreter tests use: SLIPWAY_E2E_PYTHON or python3. */
export function defaultPython(): string {
  return process.env['SLIPWAY_E2E_PYTHON'] ?? 'python3';
}
