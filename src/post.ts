// Post step entry: runs after the main step, even a cancelled one, and removes what it left behind.
import { cleanUpAfterRun } from './post-main.js';

await cleanUpAfterRun();
