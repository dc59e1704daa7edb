// Which lines of npm's (and yarn's, pnpm's) output say why an install failed: pure patterns.
import type { KeyLinePatterns } from '../../stages/install-failure.js';

export const NPM_FAILURE_LINES: KeyLinePatterns = {
  key: [
    // npm 7+ writes `npm error`, older npm `npm ERR!`; every such line is part of the error report.
    /^npm (?:error|ERR!) /,
    /ERR_PNPM_[A-Z_]+/,
    /^error (?!Command failed)/,
    /➤ YN\d{4}: .*(?:error|Error|failed|not found|doesn't|does not)/
  ],
  noise: [
    /^npm (?:error|ERR!)\s*$/,
    /^npm (?:error|ERR!)\s+404\s*$/,
    /A complete log of this run can be found in/,
    /^npm (?:error|ERR!)\s+(?:For a full report see:|\/\S+\.(?:txt|log))\s*$/,
    /^npm (?:error|ERR!)\s+404\s+(?:Note that you can also install from a|tarball, folder, http url, or git url\.)/
  ]
};
