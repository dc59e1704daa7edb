// Which ecosystem a project belongs to, from the files at its root.
import type { Language } from '../config.js';
import type { ProjectFiles } from './python.js';

const PYTHON_MARKERS = /^(requirements.*\.txt|pyproject\.toml|setup\.py|setup\.cfg|Pipfile(\.lock)?|poetry\.lock|uv\.lock|.*\.py)$/i;

/** `language: auto` picks Node for a package.json without Python project files, Python otherwise. */
export function detectLanguage(files: ProjectFiles, requested: Language): 'python' | 'node' {
  if (requested !== 'auto') return requested;
  const names = files.list('');
  const python = names.some((name) => PYTHON_MARKERS.test(name)) || files.list('requirements').length > 0;
  return !python && names.includes('package.json') ? 'node' : 'python';
}
