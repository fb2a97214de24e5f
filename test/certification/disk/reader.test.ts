import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bufferReader } from '../../../src/certification/disk/buffer-reader.ts';
import { openFileReader } from '../../../src/certification/disk/file-reader.ts';
import type { RangeReader } from '../../../src/certification/disk/types.ts';
import { rejectsWith } from '../../helpers/assert.ts';
import { scratchDir } from '../../helpers/files.ts';

const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 251));

/** The same rules for both readers: exact reads, short reads only at the end, nothing outside. */
async function checkReader(reader: RangeReader): Promise<void> {
  assert.equal(reader.size, 4096);
  assert.deepEqual(await reader.read(100, 10), bytes.subarray(100, 110));
  assert.deepEqual(await reader.read(4090, 100), bytes.subarray(4090));
  assert.equal((await reader.read(4096, 10)).length, 0);
  await rejectsWith(reader.read(4097, 1), 'IMAGE_CORRUPT', 'beyond the end');
  await rejectsWith(reader.read(-1, 1), 'IMAGE_CORRUPT', 'Invalid read');
  await rejectsWith(reader.read(0, 1.5), 'IMAGE_CORRUPT', 'Invalid read');
  await rejectsWith(reader.read(0, 2 ** 40), 'IMAGE_CORRUPT', 'larger than any disk structure');

  const part = reader.slice(1000, 2000);
  assert.equal(part.size, 2000);
  assert.deepEqual(await part.read(0, 5), bytes.subarray(1000, 1005));
  assert.deepEqual(await part.read(1990, 50), bytes.subarray(2990, 3000), 'a slice never reads past its end');
  await rejectsWith(part.read(2001, 1), 'IMAGE_CORRUPT', 'beyond the end');
  const inner = part.slice(10, 20);
  assert.deepEqual(await inner.read(0, 100), bytes.subarray(1010, 1030));
  assert.throws(() => part.slice(1990, 11), { code: 'IMAGE_CORRUPT' });
  assert.throws(() => reader.slice(-1, 10), { code: 'IMAGE_CORRUPT' });
  assert.throws(() => reader.slice(0, 4097), { code: 'IMAGE_CORRUPT' });
}

describe('range readers', () => {
  const scratch = scratchDir('vmarket-disk-');

  it('the file reader reads positioned, bounded ranges', async () => {
    const path = join(scratch(), 'bytes.bin');
    await writeFile(path, bytes);
    const file = await openFileReader(path);
    try {
      await checkReader(file.reader);
    } finally {
      await file.close();
    }
    await file.close(); // closing twice is harmless
  });

  it('the buffer reader follows the same rules', async () => {
    await checkReader(bufferReader(bytes));
  });

  it('a missing file or a directory is FILE_UNREADABLE', async () => {
    await rejectsWith(openFileReader(join(scratch(), 'absent.vhd')), 'FILE_UNREADABLE', 'absent.vhd');
    await rejectsWith(openFileReader(scratch()), 'FILE_UNREADABLE', 'not a regular file');
  });
});
