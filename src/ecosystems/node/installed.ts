// What a Node project has installed, read from the tree (no package manager start): every package
// under node_modules (nested ones and pnpm's store too), or under Yarn Plug'n'Play, what yarn.lock
// resolved from the registry. The names and versions a vulnerability database is asked about.
import type { Files } from '../../ports.js';
import type { InstalledPackage, ProjectFiles } from '../ecosystem.js';
import { projectFiles } from '../project-files.js';
import { byName } from '../shared.js';
import { readPackageJson, stringRecord } from './package-json.js';
import { workspaceDirs } from './workspaces.js';

/** Deeper than any real tree nests; a guard against link loops the listing did not skip. */
const MAX_DEPTH = 64;

export function installedNodePackages(root: string, pnp: boolean, files: Files): InstalledPackage[] {
  const project = projectFiles(files, root);
  const found = new Map<string, InstalledPackage>();
  const add = ({ name, version, requires }: { name: unknown; version: unknown; requires?: string[] }): void => {
    if (typeof name !== 'string' || typeof version !== 'string') return;
    found.set(`${name}@${version}`, { name, version, ecosystem: 'npm', ...(requires && requires.length > 0 ? { requires } : {}) });
  };
  if (pnp) lockfileResolutions(project.read('yarn.lock') ?? '').forEach(add);
  else ['', ...workspaceDirs(project)].forEach((dir) => packagesUnder(project, dir === '' ? 'node_modules' : `${dir}/node_modules`, 0, add));
  return [...found.values()].sort(byName);
}

type Found = (pkg: { name: unknown; version: unknown; requires?: string[] }) => void;

/** Each package folder in a node_modules folder, and the node_modules folders inside them. */
function packagesUnder(files: ProjectFiles, modules: string, depth: number, add: Found): void {
  if (depth > MAX_DEPTH) return;
  const visit = (dir: string): void => {
    const pkg = readPackageJson(files, `${dir}/package.json`);
    if (pkg)
      add({
        name: pkg.name,
        version: pkg.version,
        requires: Object.keys({ ...stringRecord(pkg['dependencies']), ...stringRecord(pkg['optionalDependencies']) })
      });
    packagesUnder(files, `${dir}/node_modules`, depth + 1, add);
  };
  for (const name of files.listDirs?.(modules) ?? []) {
    if (name === '.pnpm') {
      // pnpm's store: .pnpm/<name>@<version>/node_modules/<name> (the links beside it are not listed).
      for (const entry of files.listDirs?.(`${modules}/.pnpm`) ?? []) packagesUnder(files, `${modules}/.pnpm/${entry}/node_modules`, depth + 1, add);
    } else if (name.startsWith('@')) {
      for (const scoped of files.listDirs?.(`${modules}/${name}`) ?? []) visit(`${modules}/${name}/${scoped}`);
    } else if (!name.startsWith('.')) {
      visit(`${modules}/${name}`);
    }
  }
}

/** Yarn 2+ lockfile entries resolved from the registry: `resolution: "name@npm:1.2.3"`. */
export function lockfileResolutions(yarnLock: string): Array<{ name: string; version: string }> {
  const resolutions: Array<{ name: string; version: string }> = [];
  for (const match of yarnLock.matchAll(/^\s+resolution: "?((?:@[^@/"\s]+\/)?[^@"\s]+)@npm:([^"\s]+)"?\s*$/gm)) {
    resolutions.push({ name: match[1], version: match[2] });
  }
  return resolutions;
}
