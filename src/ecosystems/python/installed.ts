// What a virtualenv holds, read from its packages' metadata (no interpreter start): the names and
// versions a vulnerability database is asked about.
import { posix } from 'node:path';
import type { Files } from '../../ports.js';
import type { InstalledPackage } from '../ecosystem.js';
import { byName } from '../shared.js';

/** PEP 503: the name PyPI and OSV use, whatever spelling the package gave itself. */
export function normalizedName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** The `Name` and `Version` headers of a METADATA (or PKG-INFO) file. */
export function metadataNameVersion(text: string): { name: string; version: string } | undefined {
  const headers = text.split(/\r?\n\r?\n/)[0] ?? '';
  const name = /^Name:[ \t]*(\S+)/im.exec(headers)?.[1];
  const version = /^Version:[ \t]*(\S+)/im.exec(headers)?.[1];
  return name && version ? { name, version } : undefined;
}

/** The distributions a METADATA requires (`Requires-Dist`), by normalized name; extras' requirements left out. */
export function metadataRequires(text: string): string[] {
  const headers = text.split(/\r?\n\r?\n/)[0] ?? '';
  const names = [...headers.matchAll(/^Requires-Dist:[ \t]*([A-Za-z0-9][A-Za-z0-9._-]*)([^\r\n]*)$/gim)]
    .filter((match) => !/\bextra\s*==/.test(match[2] ?? ''))
    .map((match) => normalizedName(match[1] ?? ''));
  return [...new Set(names)];
}

/**
 * The distributions in the virtualenv's site-packages, by normalized name, sorted. Packages installed
 * from a folder (the project itself, `pip install -e .`) are not from PyPI and are left out.
 */
export function installedPythonPackages(venv: string, files: Files): InstalledPackage[] {
  const found = new Map<string, InstalledPackage>();
  for (const { sitePackages, distInfo, metadata } of distributions(venv, files)) {
    const origin = files.read(posix.join(sitePackages, distInfo, 'direct_url.json')) ?? '';
    const parsed = metadata === undefined ? undefined : metadataNameVersion(metadata);
    if (!parsed || /"dir_info"/.test(origin)) continue;
    const name = normalizedName(parsed.name);
    const requires = metadataRequires(metadata ?? '');
    found.set(`${name}@${parsed.version}`, { name, version: parsed.version, ecosystem: 'PyPI', ...(requires.length > 0 ? { requires } : {}) });
  }
  return [...found.values()].sort(byName);
}

export interface Distribution {
  /** The site-packages folder it is installed in. */
  sitePackages: string;
  /** Its .dist-info folder's name. */
  distInfo: string;
  /** Its METADATA; undefined when missing. */
  metadata: string | undefined;
}

/** Every .dist-info in the virtualenv's site-packages folders, with its METADATA. */
export function distributions(venv: string, files: Files): Distribution[] {
  const lib = posix.join(venv, 'lib');
  return files
    .list(lib)
    .folders.filter((name) => name.startsWith('python'))
    .map((python) => posix.join(lib, python, 'site-packages'))
    .flatMap((sitePackages) =>
      files
        .list(sitePackages)
        .folders.filter((name) => name.endsWith('.dist-info'))
        .map((distInfo) => ({ sitePackages, distInfo, metadata: files.read(posix.join(sitePackages, distInfo, 'METADATA')) }))
    );
}
