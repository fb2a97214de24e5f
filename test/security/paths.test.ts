import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { confineImportPath } from '../../src/security/paths.ts';
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

test('a missing file or a directory is unreadable', async (t) => {
  const { images } = await layout(t);
  await rejectsWith(confineImportPath('nope.vhd', [images]), 'FILE_UNREADABLE', 'nope.vhd');
  await rejectsWith(confineImportPath('sub', [images]), 'FILE_UNREADABLE', 'sub');
});
