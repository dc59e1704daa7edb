// The reporter Slipway gives mocha: mocha takes one `--reporter`, and Slipway wants two reports,
// the usual console output (spec) for the log and an XUnit (JUnit) file for the counts and
// annotations. This small CommonJS module drives mocha's own two reporters side by side.

/** The module's text; `junitFile` is where the XUnit report goes. */
export function mochaReporterText(junitFile: string): string {
  return `// Written by Slipway: mocha's spec reporter for the log, its xunit reporter for ${JSON.stringify(junitFile)}.
'use strict';
const JUNIT = ${JSON.stringify(junitFile)};

/** The reporters of the mocha that is loading this file (already in require's cache). */
function mochaReporters() {
  const index = Object.keys(require.cache).find((key) => /[\\\\/]mocha[\\\\/]lib[\\\\/]reporters[\\\\/]index\\.c?js$/.test(key));
  if (index) return require(index);
  return require(require.resolve('mocha', { paths: [process.cwd()] })).reporters;
}

class SlipwayReporter {
  constructor(runner, options) {
    const reporters = mochaReporters();
    this.reporters = [
      new reporters.spec(runner, options),
      new reporters.xunit(runner, { ...options, reporterOption: { output: JUNIT }, reporterOptions: { output: JUNIT } })
    ];
  }

  /** mocha waits for this before it exits: the xunit reporter closes its file here. */
  done(failures, fn) {
    const next = (i) => (i === this.reporters.length ? fn(failures) : this.reporters[i].done ? this.reporters[i].done(failures, () => next(i + 1)) : next(i + 1));
    next(0);
  }
}

module.exports = SlipwayReporter;
`;
}
