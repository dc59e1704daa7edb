// A large repository for the cache-key scenario: `files` files in all, of which `services` are
// dependency files (services/svc-NN/requirements.txt), the rest source files four folders deep.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeSyntheticRepo(root, { files = 10_000, services = 50 } = {}) {
  const perService = Math.floor((files - services) / services);
  let written = 0;
  for (let s = 0; s < services; s++) {
    const service = join(root, 'services', `svc-${String(s).padStart(2, '0')}`);
    mkdirSync(service, { recursive: true });
    const deps = Array.from({ length: 30 }, (_, d) => `package-${(s * 7 + d) % 300}==${1 + (d % 5)}.${s % 10}.${d}`);
    writeFileSync(join(service, 'requirements.txt'), `# service ${s}\n${deps.join('\n')}\n`);
    written++;
    const count = s === services - 1 ? files - written - perService * (services - 1 - s) : perService;
    for (let f = 0; f < count; f++) {
      const dir = join(service, 'src', `pkg_${f % 5}`, `sub_${f % 3}`);
      if (f < 15) mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `module_${f}.py`), `"""svc ${s} module ${f}."""\n\nVALUE = ${f}\n\n\ndef get():\n    return VALUE\n`);
      written++;
    }
  }
  return { files: written, dependencyFiles: services };
}
