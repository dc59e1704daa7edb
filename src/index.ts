// Action entry point: everything happens in run(), which tests can import without side effects.
import { run } from './main.js';

await run();
