#!/usr/bin/env node
// The CLI is TypeScript run natively; that needs Node 24 (the project's pinned `node` package).
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `vmarket needs Node.js 24 or later (this is ${process.version}). ` +
      'Run it through `npx vmarket` or an npm script, which use the pinned Node 24.\n',
  );
  process.exit(2);
}
await import('../src/cli/main.ts');
