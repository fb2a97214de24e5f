/**
 * The server builds the web app itself when its build is missing or older than its sources
 * (`npm start` needs no build step), and not again when nothing changed. A real Vite build of a
 * small app in a temporary directory.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ensureWebBuilt } from '../../src/server/web-build.ts';

let root: string;

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'vmarket-web-build-'));
  await mkdir(path.join(root, 'src'));
  await writeFile(path.join(root, 'index.html'), '<!doctype html><html><body><div id="root"></div><script type="module" src="/src/main.js"></script></body></html>\n');
  await writeFile(path.join(root, 'vite.config.ts'), "export default { logLevel: 'silent' };\n");
  await writeFile(path.join(root, 'src/main.js'), "document.getElementById('root').textContent = 'first';\n");
});
after(() => rm(root, { recursive: true, force: true }));

async function bundle(): Promise<string> {
  const assets = path.join(root, 'dist/assets');
  const names = (await readdir(assets)).filter((n) => n.endsWith('.js'));
  return (await Promise.all(names.map((n) => readFile(path.join(assets, n), 'utf8')))).join('\n');
}

test('builds when missing, not again when current, again when a source changed', async () => {
  let built = 0;
  const first = await ensureWebBuilt({ root, onBuild: () => built++ });
  assert.equal(first.built, true);
  assert.equal(built, 1);
  assert.ok(existsSync(path.join(root, 'dist/index.html')));
  assert.match(await bundle(), /first/);

  const second = await ensureWebBuilt({ root, onBuild: () => built++ });
  assert.equal(second.built, false);
  assert.equal(built, 1);
  assert.equal(second.sourceHash, first.sourceHash);

  await writeFile(path.join(root, 'src/main.js'), "document.getElementById('root').textContent = 'second';\n");
  const third = await ensureWebBuilt({ root, onBuild: () => built++ });
  assert.equal(third.built, true);
  assert.notEqual(third.sourceHash, first.sourceHash);
  const code = await bundle();
  assert.match(code, /second/);
  assert.doesNotMatch(code, /first/, 'the old build is replaced, not mixed in');
  assert.deepEqual((await readdir(root)).filter((n) => n.startsWith('.dist-') || n.startsWith('dist.old')), [], 'no staging left behind');
});

test('two builds at once both end with one whole, current build', async () => {
  await writeFile(path.join(root, 'src/main.js'), "document.getElementById('root').textContent = 'third';\n");
  const [a, b] = await Promise.all([ensureWebBuilt({ root, force: true }), ensureWebBuilt({ root, force: true })]);
  assert.equal(a.sourceHash, b.sourceHash);
  assert.match(await bundle(), /third/);
  assert.equal((await ensureWebBuilt({ root })).built, false);
});

test('a source that does not compile fails with one clear error and leaves the last build in place', async () => {
  await writeFile(path.join(root, 'src/main.js'), 'import { nothing } from "./missing.js";\n');
  await assert.rejects(ensureWebBuilt({ root }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'INTERNAL');
    assert.match(error.message, /Building the web app failed/);
    return true;
  });
  assert.match(await bundle(), /third/);
});
