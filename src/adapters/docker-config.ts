// A private Docker config for one run's registry login: a fresh folder holding no credentials, with
// the user's CLI plugins (buildx), builder instances and contexts linked in and its current context
// and proxies copied, so the same engine and builder are used; auths, credsStore and credHelpers are
// not. Written with mode 0600; the caller removes it (and the cancel handler or post step does when
// the run is killed).
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DockerConfigFolder } from '../ports.js';

export function privateDockerConfig(inDir: string, ambient: string | undefined): DockerConfigFolder {
  const dir = mkdtempSync(join(inDir, 'docker-config-'));
  const own = ambient || join(homedir(), '.docker');
  for (const name of ['cli-plugins', 'buildx', 'contexts']) {
    const source = join(own, name);
    if (existsSync(source)) {
      try {
        symlinkSync(source, join(dir, name));
      } catch {
        // a missing plugin only means the classic builder is used
      }
    }
  }
  const settings: Record<string, unknown> = {};
  try {
    const config = JSON.parse(readFileSync(join(own, 'config.json'), 'utf8')) as Record<string, unknown>;
    for (const key of ['currentContext', 'proxies']) if (config[key] !== undefined) settings[key] = config[key];
  } catch {
    // no readable config of the user's: defaults
  }
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(settings)}\n`, { mode: 0o600 });
  return { path: dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
