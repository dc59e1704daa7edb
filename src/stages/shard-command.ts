// How a shard's test files reach the runner: as arguments at the end of the command that runs it.
// Listing tests through each runner (`pytest --collect-only`, `jest --listTests`, `vitest list`)
// would need the installed environment and a second start of the runner in every shard, and each
// runner names its tests differently; test files found on disk by the runners' own conventions
// (the ecosystem's `isTestFile`) are the same in every shard, cost nothing, and every runner Slipway
// drives takes files as arguments (pytest, jest with --runTestsByPath, vitest, mocha, node --test).
// Pure.
import type { TestPlan } from '../ecosystems/ecosystem.js';
import { SlipwayError } from '../errors.js';

/** The preload that adds options to a runner the `test` script does not run last (node/test-plans/deliver.ts). */
const PRELOAD = 'slipway-runner-options.cjs';

/** The plan with `files` (project-relative) given to its runner; throws when the runner cannot take them. */
export function shardTestPlan(plan: TestPlan, files: readonly string[]): TestPlan {
  if (plan.commands.length === 0) return plan;
  const refuse = (why: string): never => {
    throw new SlipwayError(`shard: ${why}`);
  };
  const [first, ...rest] = plan.commands;
  switch (plan.runner) {
    case 'pytest': {
      // pytest runs first (maybe under `coverage run`); the commands after it write reports.
      return { ...plan, commands: [{ ...first!, args: [...first!.args, ...files] }, ...rest] };
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
