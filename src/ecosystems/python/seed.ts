// Python's seed packages — pip, setuptools (with pkg_resources and _distutils_hack), wheel — come
// with every virtualenv, and none of the commands Slipway itself runs imports them: half the files of
// a small environment. They are set aside (cached apart, restored only for a run that may need them)
// unless the project depends on them. Their .dist-info folders stay, so the environment still lists
// them (the audit sees what was installed). Pure: the caller reads the files.
import { normalizedName, metadataRequires } from './installed.js';

export const SEED_DISTRIBUTIONS = ['pip', 'setuptools', 'wheel'] as const;
export type SeedDistribution = (typeof SEED_DISTRIBUTIONS)[number];

/** What each seed distribution is imported as. */
const MODULES: Record<SeedDistribution, string[]> = {
  pip: ['pip'],
  setuptools: ['setuptools', 'pkg_resources', '_distutils_hack', 'distutils'],
  wheel: ['wheel']
};

export interface InstalledSeed {
  name: SeedDistribution;
  /** Its .dist-info folder's name. */
  distInfo: string;
  /** Its RECORD: paths relative to site-packages (`../../../bin/pip` for scripts). */
  record: string;
}

export interface SeedEvidence {
  /** METADATA of every other distribution in the environment. */
  metadata: string[];
  /** Python modules of the other distributions: an import at the start of a line runs on import. */
  libraries: string[];
  /** The project's own Python files: an import anywhere, or a pip command, may run in its tests. */
  project: string[];
}

/** pip run by the project's code: `-m pip` (also as list items), `pip install …`, ensurepip. */
const PIP_COMMAND = /-m\s+pip\b|["']-m["']\s*,\s*["']pip["']|\bpip3?\s+(?:install|download|wheel|list|freeze|show)\b|\bensurepip\b/;

/** The seed distributions something in the environment or the project needs: never set aside. */
export function neededSeed(evidence: SeedEvidence): Set<SeedDistribution> {
  const needed = new Set<SeedDistribution>();
  const required = new Set(evidence.metadata.flatMap(metadataRequires));
  for (const name of SEED_DISTRIBUTIONS) {
    const modules = MODULES[name].join('|');
    const atImport = new RegExp(`^(?:import|from)\\s+(?:${modules})\\b`, 'm');
    const anywhere = new RegExp(`^\\s*(?:import|from)\\s+(?:${modules})\\b`, 'm');
    const command = name === 'pip' ? PIP_COMMAND : undefined;
    if (
      required.has(normalizedName(name)) ||
      evidence.libraries.some((text) => atImport.test(text)) ||
      evidence.project.some((text) => anywhere.test(text) || Boolean(command?.test(text)))
    ) {
      needed.add(name);
    }
  }
  return needed;
}

/**
 * The paths (relative to site-packages, as in RECORD) of the seed distributions to set aside:
 * every top-level file or folder they installed, but not their .dist-info folder.
 */
export function seedPaths(installed: readonly InstalledSeed[], needed: ReadonlySet<SeedDistribution>): string[] {
  const paths = new Set<string>();
  for (const seed of installed.filter((dist) => !needed.has(dist.name))) {
    for (const line of seed.record.split(/\r?\n/)) {
      const file = line.split(',')[0]?.trim() ?? '';
      if (!file || file.startsWith('/')) continue;
      // A script outside site-packages is its own path; inside, the top-level folder or file is.
      const parts = file.split('/');
      const outside = parts[0] === '..';
      const path = outside ? file : (parts[0] ?? '');
      if (!outside && (path === seed.distInfo || path === '__pycache__')) continue;
      paths.add(path);
    }
  }
  return [...paths].sort();
}
