// Bundles each entry with ncc into dist/: index.js (the action) and cli.js (`slipway run`).
// ncc takes one entry per run, so each is built in a scratch folder; dist/ is replaced only when
// every entry built, so a failed build never leaves a half-written dist/.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { minify } from 'terser';

const entries = { index: 'src/index.ts', post: 'src/post.ts', cli: 'src/cli.ts' };
const ncc = join('node_modules', '.bin', 'ncc');
const staged = mkdtempSync(join(tmpdir(), 'slipway-dist-'));
try {
  for (const [name, source] of Object.entries(entries)) {
    const out = join(staged, name);
    execFileSync(ncc, ['build', source, '-o', out, '--minify', '--no-source-map-register', '--license', 'licenses.txt', '-q'], { stdio: 'inherit' });
    // Every entry names its lazy chunks N.index.js, and the same N holds other modules in another
    // entry: each entry's chunks are named after it (N.cli.js), so one never loads another's.
    const entry = join(out, 'index.js');
    writeFileSync(entry, readFileSync(entry, 'utf8').replaceAll('".index.js"', `".${name}.js"`));
    for (const file of readdirSync(out)) {
      // ncc minifies the entry but not the chunks of lazy imports (@actions/cache, loaded only to save).
      if (file !== 'index.js' && file.endsWith('.js')) await minifyInPlace(join(out, file));
      const chunk = file !== 'index.js' && file.endsWith('.index.js') ? file.replace(/\.index\.js$/, `.${name}.js`) : file;
      const target = file === 'index.js' ? `${name}.js` : file === 'licenses.txt' ? `${name}.licenses.txt` : chunk;
      renameSync(join(out, file), join(staged, target));
    }
    rmSync(out, { recursive: true });
  }
  // The CLI runs as `node dist/cli.js` and as an npm bin.
  const cli = join(staged, 'cli.js');
  writeFileSync(cli, `#!/usr/bin/env node\n${readFileSync(cli, 'utf8').replace(/^#!.*\n/, '')}`);
  chmodSync(cli, 0o755);
  rmSync('dist', { recursive: true, force: true });
  execFileSync('cp', ['-r', staged, 'dist']);
} finally {
  rmSync(staged, { recursive: true, force: true });
}

async function minifyInPlace(file) {
  const { code } = await minify(readFileSync(file, 'utf8'), { module: true, compress: true, mangle: true });
  writeFileSync(file, code);
}
