// CLI entry point: `slipway run [dir]`. Everything happens in main(), which tests can import.
import { main } from './cli-main.js';

process.exitCode = await main(process.argv.slice(2));
