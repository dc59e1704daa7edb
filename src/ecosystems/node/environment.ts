// Node's install: node_modules in the project, installed from the lockfile by the project's
// package manager; checked after a restore by the files every direct dependency must have.
import { join } from 'node:path';
import { SlipwayError } from '../../errors.js';
import type { Files } from '../../ports.js';
import { crashLine } from '../../reports/findings.js';
import type { StageLog } from '../../stage-log.js';
import type { Environment, InstallPlan, InstallPorts, InstallRequest, Installation } from '../ecosystem.js';
import { projectFiles } from '../project-files.js';
import { lastLine } from '../shared.js';
import type { CorepackShims } from './corepack-shims.js';
import { frozenInstallHint, planNodeInstall } from './install-plan.js';
import { packageScripts } from './package-json.js';
import { managerCommand, type ScriptRunner } from './package-manager.js';
import { declaredNodeTools, nodeTools, type NodeTools } from './tools.js';

/** What the test and lint plans need of an installed Node project. */
export interface NodeData {
  tools: NodeTools;
  /** How package.json scripts run (npm, yarn, pnpm, maybe through corepack). */
  runner: ScriptRunner;
  scripts: Record<string, string>;
  pnp: boolean;
  /** The project's node accepts --experimental-test-coverage in NODE_OPTIONS. */
  nodeCoverageInOptions: boolean;
}

const NODE_PROBE = 'JSON.stringify([process.version.slice(1), process.execPath, process.allowedNodeEnvironmentFlags.has("--experimental-test-coverage")])';

export async function installNode({ config, stateDir }: InstallRequest, { log, files, host }: InstallPorts): Promise<Installation<NodeData>> {
  const root = config.workingDirectory;
  const project = projectFiles(files, root);
  const probe = await log.run('node', ['-p', NODE_PROBE], { cwd: root }).catch(() => undefined);
  if (!probe || probe.code !== 0)
    throw new SlipwayError('`node` was not found or does not run. Install Node.js before Slipway (e.g. with actions/setup-node).');
  const [nodeVersion, nodePath, nodeCoverageInOptions] = JSON.parse(probe.stdout.trim()) as [string, string, boolean];
  const detected = planNodeInstall({
    files: project,
    root,
    downloadsDir: join(stateDir, 'node-downloads'),
    available: { yarn: host.which('yarn'), pnpm: host.which('pnpm'), corepack: host.which('corepack') },
    installCommands: config.installCommands,
    pathEnv: host.env.PATH,
    stateDir
  });
  if (detected.corepackShims) await enableShims(detected.corepackShims, root, files, log, detected.notes);
  const version = managerCommand(detected.runner, ['--version']);
  const managerVersion = await log.run(version.command, version.args, { cwd: root, env: version.env }).catch(() => undefined);
  const runtime = `node-${nodeVersion}-${detected.manager}-${managerVersion?.code === 0 ? lastLine(managerVersion.stdout) : 'unknown'}`;
  log.write(`Node ${nodeVersion} at ${nodePath}; ${detected.manager}${detected.runner.corepack ? ' (through corepack)' : ''}`);
  const { commands, cachePaths, stampPath, downloads, env, installEnv, notes } = detected;
  const plan: InstallPlan = {
    installer: detected.installer,
    runtime,
    // Installed trees hard-code the project's path (pnpm's bin scripts do): it is part of the key.
    interpreterPath: `${nodePath}\0${root}`,
    files: detected.dependencyFiles,
    commands,
    cachePaths,
    stampPath,
    downloads,
    env,
    installEnv,
    nothingToInstall: false,
    notes
  };
  return {
    plan,
    /** A restored tree is used only if every direct dependency is there. */
    async verify() {
      const missing = detected.verify.filter((path) => !files.exists(path));
      if (missing.length > 0) log.write(`restored tree lacks ${missing.slice(0, 3).join(', ')}`);
      return missing.length === 0;
    },
    async environment(): Promise<Environment<NodeData>> {
      const tools = detected.pnp ? declaredNodeTools(project) : nodeTools((path) => files.exists(join(root, path)));
      const data = { tools, runner: detected.runner, scripts: packageScripts(project), pnp: detected.pnp, nodeCoverageInOptions };
      return { root, env, data };
    },
    explain: (output) => frozenInstallHint(detected.manager, output)
  };
}

/** corepack's shims for the manager, for scripts that call it by name; a failure is a note, not fatal. */
async function enableShims(shims: CorepackShims, root: string, files: Files, log: StageLog, notes: string[]): Promise<void> {
  // corepack refuses a folder that does not exist yet; writing a file into it makes it.
  files.write(join(shims.dir, 'README'), 'Links to corepack for the package manager, put on PATH by Slipway.\n');
  const { command, args } = shims.enable;
  const result = await log.run(command, args, { cwd: root }).catch((error: unknown) => ({ code: -1, stderr: String(error), stdout: '' }));
  if (result.code !== 0) {
    notes.push(`\`corepack enable\` failed (${crashLine(result.stderr, result.stdout)}): scripts that call ${args[args.length - 1]} by name will not find it.`);
  }
}
