/**
 * `npm run bench [-- NAME...]`: runs the benchmarks (default all: certify, pipeline, healthz, boot, downloads) one after
 * the other, each in its own process with the project's Node, so one's memory and page cache
 * use do not skew the next one's figures. Record the printed figures in bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const BENCHMARKS = ['certify', 'pipeline', 'healthz', 'boot', 'downloads'] as const;
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(BENCHMARKS as readonly string[]).includes(name));
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown benchmark ${unknown.join(', ')}; choose from ${BENCHMARKS.join(', ')}\n`);
  process.exit(2);
}
let failed = false;
for (const name of wanted.length > 0 ? wanted : BENCHMARKS) {
  process.stdout.write(`\n== ${name} ==\n`);
  const result = spawnSync(process.execPath, [path.join(import.meta.dirname, name, 'run.ts')], { stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`bench: ${name} failed (exit ${result.status ?? result.signal})\n`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
