// Which ecosystem a project belongs to, from the files at its root.
import type { Language } from '../config.js';
import { SlipwayError } from '../errors.js';
import type { ProjectFiles } from './python.js';

const PYTHON_MARKERS = /^(requirements.*\.txt|pyproject\.toml|setup\.py|setup\.cfg|Pipfile(\.lock)?|poetry\.lock|uv\.lock|.*\.py)$/i;
const NODE_MARKERS = /^(package\.json)$/;

export function detectLanguage(files: ProjectFiles, requested: Language): 'python' | 'node' {
  const names = files.list('');
  const python = names.some((name) => PYTHON_MARKERS.test(name)) || files.list('requirements').length > 0;
  const node = names.some((name) => NODE_MARKERS.test(name));
  const language = requested !== 'auto' ? requested : python || !node ? 'python' : 'node';
  if (language === 'node') {
    throw new SlipwayError(
      'Input `language`: Node projects are not supported yet' +
        (requested === 'auto' ? ' (found package.json and no Python project files)' : '') +
        '. Set `language: python` and `working-directory` to the Python project.'
    );
  }
  return language;
}
