// Which ecosystem a project belongs to: the one the `language` input names, or the first whose
// files are at the project's root (Python before Node: a Python app may carry a package.json for
// its front end), Python when none is.
import type { Language } from '../config.js';
import type { Ecosystem, ProjectFiles } from './ecosystem.js';
import { node } from './node/index.js';
import { python } from './python/index.js';

const ECOSYSTEMS: readonly Ecosystem[] = [python, node];

export function pickEcosystem(files: ProjectFiles, requested: Language): Ecosystem {
  if (requested !== 'auto') return ECOSYSTEMS.find((ecosystem) => ecosystem.name === requested) ?? python;
  return ECOSYSTEMS.find((ecosystem) => ecosystem.detect(files)) ?? python;
}
