import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { confineImportPath, importDirsOf, rootsWithLooseFiles } from '../../src/security/paths.ts';
import { rejectsWith } from '../helpers/assert.ts';

async function layout(t: { after: (fn: () => Promise<void>) => void }) {
  const root = await realpath(await mkdtemp(path.join(os.tmpdir(), 'vmarket-paths-')));
  t.after(() => rm(root, { recursive: true, force: true }));
  const images = path.join(root, 'images');
  const more = path.join(root, 'more');
  await mkdir(path.join(images, 'sub'), { recursive: true });
  await mkdir(more);
  await writeFile(path.join(images, 'sub', 'os.vhd'), 'disk');
  await writeFile(path.join(more, 'data.vhd'), 'data');
  await writeFile(path.join(root, 'secret.txt'), 'secret');
  await symlink(path.join(root, 'secret.txt'), path.join(images, 'escape.vhd'));
  await symlink(path.join(images, 'sub', 'os.vhd'), path.join(images, 'alias.vhd'));
  return { root, images, more };
}


test('a relative path resolves inside the allowed directories, in order', async (t) => {
  const { images, more } = await layout(t);
  assert.equal(await confineImportPath('sub/os.vhd', [images, more]), path.join(images, 'sub', 'os.vhd'));
  assert.equal(await confineImportPath('data.vhd', [images, more]), path.join(more, 'data.vhd'));
  assert.equal(await confineImportPath(path.join(more, 'data.vhd'), [images, more]), path.join(more, 'data.vhd'));
});

test('a symlink that stays inside is followed to its real file', async (t) => {
  const { images } = await layout(t);
  assert.equal(await confineImportPath('alias.vhd', [images]), path.join(images, 'sub', 'os.vhd'));
});

test('traversal, absolute paths outside and symlink escapes are refused', async (t) => {
  const { root, images } = await layout(t);
  await rejectsWith(confineImportPath('../secret.txt', [images]), 'PATH_NOT_ALLOWED', '../secret.txt');
  await rejectsWith(confineImportPath('sub/../../secret.txt', [images]), 'PATH_NOT_ALLOWED', 'secret.txt');
  await rejectsWith(confineImportPath(path.join(root, 'secret.txt'), [images]), 'PATH_NOT_ALLOWED', 'secret.txt');
  await rejectsWith(confineImportPath('/etc/passwd', [images]), 'PATH_NOT_ALLOWED', '/etc/passwd');
  await rejectsWith(confineImportPath('escape.vhd', [images]), 'PATH_NOT_ALLOWED', 'escape.vhd');
});

test('a missing file or a directory is refused like a path outside, with the reason kept for the log', async (t) => {
  const { images } = await layout(t);
  const errors = await Promise.all(['nope.vhd', 'sub', '../secret.txt', 'escape.vhd'].map((p) => confineImportPath(p, [images]).catch((e) => e)));
  assert.deepEqual(errors.map((e) => e.code), ['PATH_NOT_ALLOWED', 'PATH_NOT_ALLOWED', 'PATH_NOT_ALLOWED', 'PATH_NOT_ALLOWED']);
  const texts = errors.map((e, i) => e.message.replace(['nope.vhd', 'sub', '../secret.txt', 'escape.vhd'][i], '<p>'));
  assert.equal(new Set(texts).size, 1, texts.join(' | '));
  assert.deepEqual(errors.map((e) => e.cause.message.split(':')[0]), ['no such file', 'not a regular file', 'outside the import directories', 'a symbolic link leads outside the import directories']);
});

test("a publisher's import directories are its own subtree of each root, or the operator's mapping", () => {
  const imports = { allowedDirs: ['/srv/images', '/mnt/more'], publisherDirs: { fabrikam: ['/srv/fabrikam-mirror'] } };
  assert.deepEqual(importDirsOf(imports, 'contoso'), ['/srv/images/contoso', '/mnt/more/contoso']);
  assert.deepEqual(importDirsOf(imports, 'fabrikam'), ['/srv/fabrikam-mirror']);
  // no publisher, or no publisher id (a path step, an object key): no directory at all
  for (const nobody of [undefined, '', '..', 'a/b', 'toString', '__proto__']) assert.deepEqual(importDirsOf(imports, nobody), [], String(nobody));
});

test('import roots still holding files of the shared layout are found (the server warns about them)', async (t) => {
  const { root, images, more } = await layout(t);
  // images holds escape.vhd and alias.vhd directly (symlinks are not counted), more holds data.vhd
  assert.deepEqual(await rootsWithLooseFiles([images, more, path.join(root, 'missing')]), [{ dir: more, files: 1 }]);
});
