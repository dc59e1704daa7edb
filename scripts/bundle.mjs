// Bundles each entry with ncc into dist/: index.js (the action) and cli.js (`slipway run`).
// ncc takes one entry per run, so each goes to its own folder and is moved into place.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, readdirSync, renameSync, writeFileSync, chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const entries = { index: 'src/index.ts', cli: 'src/cli.ts' };
const ncc = join('node_modules', '.bin', 'ncc');
rmSync('dist', { recursive: true, force: true });
mkdirSync('dist');
for (const [name, source] of Object.entries(entries)) {
  const out = mkdtempSync(join(tmpdir(), `slipway-bundle-${name}-`));
  execFileSync(ncc, ['build', source, '-o', out, '--minify', '--no-source-map-register', '--license', 'licenses.txt', '-q'], { stdio: 'inherit' });
  for (const file of readdirSync(out)) {
    const target = file === 'index.js' ? `${name}.js` : file === 'licenses.txt' ? `${name}.licenses.txt` : file;
    renameSync(join(out, file), join('dist', target));
  }
  rmSync(out, { recursive: true, force: true });
}
// The CLI runs as `node dist/cli.js` and as an npm bin.
const cli = join('dist', 'cli.js');
const body = readFileSync(cli, 'utf8');
if (!body.startsWith('#!')) writeFileSync(cli, `#!/usr/bin/env node\n${body}`);
chmodSync(cli, 0o755);
