// What the cache key needs to know of the machine's OS release (see runnerImage), read here so that
// the key itself stays a pure function.
import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { runnerImage } from '../cache-key.js';

export function thisRunnerImage(): string {
  let osRelease: string | undefined;
  try {
    osRelease = readFileSync('/etc/os-release', 'utf8');
  } catch {
    // not Linux, or a minimal container: the platform decides
  }
  return runnerImage({ imageOS: process.env['ImageOS'], osRelease, platform: process.platform, kernelRelease: release() });
}
