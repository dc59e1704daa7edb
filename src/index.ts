// Action entry point: everything happens in run(), which tests can import without side effects.
import { run } from './main.js';

await run();
// Outputs and summary are written: work abandoned at a time limit (a cache save past its budget)
// must not hold the step open.
process.exit();
