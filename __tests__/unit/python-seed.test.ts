import { describe, expect, test } from '@jest/globals';
import { neededSeed, seedPaths, type InstalledSeed, type SeedDistribution, type SeedEvidence } from '../../src/ecosystems/python/seed.js';

const PIP: InstalledSeed = {
  name: 'pip',
  distInfo: 'pip-24.0.dist-info',
  record: [
    '../../../bin/pip,sha256=a,230',
    '../../../bin/pip3.11,sha256=a,230',
    'pip-24.0.dist-info/METADATA,sha256=b,4239',
    'pip-24.0.dist-info/RECORD,,',
    'pip/__init__.py,sha256=c,357',
    'pip/_internal/cli/main.py,sha256=d,2000',
    'pip/__pycache__/__init__.cpython-311.pyc,,'
  ].join('\n')
};
const SETUPTOOLS: InstalledSeed = {
  name: 'setuptools',
  distInfo: 'setuptools-65.5.0.dist-info',
  record: [
    '_distutils_hack/__init__.py,sha256=e,5000',
    'distutils-precedence.pth,sha256=f,151',
    'pkg_resources/__init__.py,sha256=g,100000',
    'setuptools/__init__.py,sha256=h,9000',
    'setuptools-65.5.0.dist-info/entry_points.txt,,',
    '__pycache__/some_module.cpython-311.pyc,,'
  ].join('\r\n')
};

const none: SeedEvidence = { metadata: [], libraries: [], project: [] };

describe('Python seed packages', () => {
  test('what is set aside: every top-level path of the seed distributions, scripts included, never their .dist-info', () => {
    expect(seedPaths([PIP, SETUPTOOLS], new Set())).toEqual([
      '../../../bin/pip',
      '../../../bin/pip3.11',
      '_distutils_hack',
      'distutils-precedence.pth',
      'pip',
      'pkg_resources',
      'setuptools'
    ]);
  });

  test('a needed distribution stays whole', () => {
    expect(seedPaths([PIP, SETUPTOOLS], new Set<SeedDistribution>(['setuptools']))).toEqual(['../../../bin/pip', '../../../bin/pip3.11', 'pip']);
    expect(seedPaths([PIP, SETUPTOOLS], new Set<SeedDistribution>(['pip', 'setuptools']))).toEqual([]);
  });

  test.each<[string, Partial<SeedEvidence>, SeedDistribution[]]>([
    ['nothing needs them', {}, []],
    ['a package requires setuptools', { metadata: ['Name: old\nVersion: 1\nRequires-Dist: setuptools>=40\n\nbody'] }, ['setuptools']],
    ['a requirement only for an extra does not count', { metadata: ["Name: x\nRequires-Dist: pip (>=19.1) ; extra == 'testing'\n"] }, []],
    ['a package imports pkg_resources when imported', { libraries: ['"""doc"""\nimport pkg_resources\n'] }, ['setuptools']],
    ['a package imports distutils when imported', { libraries: ['from distutils.version import LooseVersion\n'] }, ['setuptools']],
    ['a guarded import inside a function does not count', { libraries: ['def f():\n    import pkg_resources\n'] }, []],
    ['the project imports pkg_resources, even inside a function', { project: ['def test_x():\n    import pkg_resources\n'] }, ['setuptools']],
    ['the project runs pip as list items', { project: ['subprocess.run([sys.executable, "-m", "pip", "list"])\n'] }, ['pip']],
    ['the project runs `-m pip`', { project: ['os.system("python -m pip freeze")\n'] }, ['pip']],
    ['the project runs `pip install`', { project: ['run("pip install -e .")\n'] }, ['pip']],
    ['the project imports wheel', { project: ['from wheel.bdist_wheel import bdist_wheel\n'] }, ['wheel']],
    ['a word that merely contains the name', { project: ['import pipeline\nfrom setuptools_scm import get_version\n'] }, []]
  ])('needed: %s', (_, evidence, expected) => {
    expect([...neededSeed({ ...none, ...evidence })].sort()).toEqual(expected);
  });
});
