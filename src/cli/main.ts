/** Entry point of the `vmarket` binary (bin/vmarket.js imports this module). */
import { runCli } from './program.ts';

process.exitCode = await runCli(process.argv);
