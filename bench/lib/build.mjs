// Compiles the TypeScript the benchmark uses into bench/.build with the repository's own compiler
// (transpile only: the type check belongs to `npm run typecheck`). Two trees:
//   bench/.build/src      the current src/ (cache key, glob, config, local cache store), measured directly
//   bench/.build/support  the end-to-end support code (fake cache service, runner emulation, pip mirror env)
// The folder sits inside the repository so that bare imports (@actions/exec, …) resolve from node_modules,
// and the root package.json ("type": "module") makes the .js output ES modules.
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

const OPTIONS = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ES2022,
  esModuleInterop: true,
  isolatedModules: true,
  sourceMap: false
};

function transpileFile(source, target) {
  const { outputText, diagnostics } = ts.transpileModule(readFileSync(source, 'utf8'), { compilerOptions: OPTIONS, fileName: source, reportDiagnostics: true });
  if (diagnostics?.length) {
    throw new Error(`${source}: ${diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('; ')}`);
  }
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, outputText);
}

function transpileTree(from, to) {
  let count = 0;
  for (const name of readdirSync(from)) {
    const path = join(from, name);
    if (statSync(path).isDirectory()) count += transpileTree(path, join(to, name));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) {
      transpileFile(path, join(to, name.replace(/\.ts$/, '.js')));
      count++;
    }
  }
  return count;
}

/** Returns the build folder; `repo` is the repository root. */
export function buildBenchModules(repo) {
  const out = join(repo, 'bench', '.build');
  rmSync(out, { recursive: true, force: true });
  const started = performance.now();
  const files = transpileTree(join(repo, 'src'), join(out, 'src'));
  const support = join(repo, '__tests__', 'e2e', 'support');
  for (const name of ['cache-service.ts', 'artifact-service.ts', 'action-runner.ts', 'python.ts', 'workspace.ts']) {
    transpileFile(join(support, name), join(out, 'support', name.replace(/\.ts$/, '.js')));
  }
  return { dir: out, files: files + 5, ms: performance.now() - started, rel: relative(repo, out) };
}
