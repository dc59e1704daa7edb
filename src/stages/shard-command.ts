// How a shard's test files reach the runner. Listing tests through each runner (`pytest
// --collect-only`, `jest --listTests`, `vitest list`) would start the runner twice in every shard,
// and each runner names its tests differently; test files found on disk by the runners' own
// conventions (the ecosystem's `isTestFile`) are the same in every shard and cost nothing. pytest
// keeps the project's command as written and drops other shards' files through a plugin
// (shard-pytest.ts); jest (with --runTestsByPath, which still applies its own test patterns), vitest,
// mocha and node --test are given the shard's files as arguments. Pure.
import { join, posix } from 'node:path';
import type { TestPlan } from '../ecosystems/ecosystem.js';
import { SlipwayError } from '../errors.js';
import { PYTEST_SHARD_LAUNCHER, PYTEST_SHARD_LAUNCHER_TEXT, SHARD_FILE } from './shard-pytest.js';

/** A shard's part of the split: its files and all of them (project-relative), the project root. */
export interface ShardShare {
  files: readonly string[];
  all: readonly string[];
  /** The first shard also runs tests in files the split did not know. */
  first: boolean;
  root: string;
}

/** The preload that adds options to a runner the `test` script does not run last (node/test-plans/deliver.ts). */
const PRELOAD = 'slipway-runner-options.cjs';

/** The plan running the shard's files only; throws when its runner cannot be told which. */
export function shardTestPlan(plan: TestPlan, share: ShardShare): TestPlan {
  if (plan.commands.length === 0) return plan;
  const { files } = share;
  const refuse = (why: string): never => {
    throw new SlipwayError(`shard: ${why}`);
  };
  const [first, ...rest] = plan.commands;
  switch (plan.runner) {
    case 'pytest': {
      // pytest runs first (maybe under `coverage run`); the commands after it write reports.
      const launched = pytestThroughLauncher(plan, share);
      return launched ?? { ...plan, commands: [{ ...first!, args: [...first!.args, ...files] }, ...rest] };
    }
    case 'jest':
    case 'vitest':
    case 'mocha':
    case 'node': {
      if ((plan.writes ?? []).some((file) => file.path.endsWith(PRELOAD))) {
        refuse(
          `the \`test\` script runs ${plan.runner} among other commands, so the shard's test files cannot be handed to it; set \`test-command\` to the runner's own command (e.g. \`npx ${plan.runner === 'node' ? 'node --test' : plan.runner}\`).`
        );
      }
      // jest reads its arguments as patterns: `--runTestsByPath` makes them exact files.
      const extra = plan.runner === 'jest' ? ['--runTestsByPath', ...files] : [...files];
      return { ...plan, commands: [{ ...first!, args: [...first!.args, ...extra] }, ...rest] };
    }
    case 'unittest':
      return refuse(
        "the shard's test files are handed to pytest, and pytest is not installed: add it to your dev requirements (it runs unittest tests as they are)."
      );
    default:
      return refuse(
        `${plan.runner === 'custom' || plan.runner === 'other' ? 'the test command' : plan.runner} cannot be given the shard's test files; sharding works with pytest, jest, vitest, mocha and node --test (detected, or as a single-line \`test-command\`).`
      );
  }
}

/**
 * `python -m pytest …` (or `… coverage run -m pytest …`, or the `pytest` program) with the launcher
 * in pytest's place; undefined when the command runs pytest some other way (then the files are given).
 */
function pytestThroughLauncher(plan: TestPlan, share: ShardShare): TestPlan | undefined {
  const [first, ...rest] = plan.commands;
  const folder = plan.junit[0] ? posix.dirname(plan.junit[0]) : undefined;
  if (!first || !folder) return undefined;
  const launcher = posix.join(folder, PYTEST_SHARD_LAUNCHER);
  const at = first.args.findIndex((arg, i) => arg === '-m' && first.args[i + 1] === 'pytest');
  const program = first.command.split('/').pop();
  const command =
    at >= 0
      ? { ...first, args: [...first.args.slice(0, at), launcher, ...first.args.slice(at + 2)] }
      : program === 'pytest' || program === 'py.test'
        ? { ...first, command: 'python', args: [launcher, ...first.args] }
        : undefined;
  if (!command) return undefined;
  const absolute = (files: readonly string[]): string[] => files.map((file) => join(share.root, file));
  const text = JSON.stringify({ mine: absolute(share.files), all: absolute(share.all), first: share.first });
  return {
    ...plan,
    commands: [command, ...rest],
    writes: [...(plan.writes ?? []), { path: launcher, text: PYTEST_SHARD_LAUNCHER_TEXT }, { path: posix.join(folder, SHARD_FILE), text }]
  };
}
