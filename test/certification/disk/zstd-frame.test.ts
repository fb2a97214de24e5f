/** The length of one zstd frame, found from its block headers (what qcow2's zstd clusters need). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { constants, zstdCompressSync } from 'node:zlib';
import { zstdFrameLength } from '../../../src/certification/disk/formats/zstd-frame.ts';
import { pseudoRandomBytes } from '../../fixtures/pseudo-random.ts';

const text = Buffer.from('a cluster of text that compresses well. '.repeat(2000));
const random = pseudoRandomBytes('zstd-frame', 70000);

describe('zstdFrameLength', () => {
  it('finds the end of compressed, raw-block and checksummed frames, ignoring what follows', () => {
    const frames = [
      zstdCompressSync(text),
      zstdCompressSync(random), // incompressible: raw blocks
      zstdCompressSync(Buffer.alloc(65536)), // RLE blocks
      zstdCompressSync(text, { params: { [constants.ZSTD_c_checksumFlag]: 1 } }),
      zstdCompressSync(Buffer.alloc(0)),
    ];
    for (const frame of frames) {
      assert.equal(zstdFrameLength(frame), frame.length);
      assert.equal(zstdFrameLength(Buffer.concat([frame, Buffer.from('the next cluster starts here')])), frame.length);
    }
  });

  it('answers null for a truncated frame or one that is not zstd', () => {
    const frame = zstdCompressSync(text, { params: { [constants.ZSTD_c_checksumFlag]: 1 } });
    assert.equal(zstdFrameLength(frame.subarray(0, frame.length - 1)), null);
    assert.equal(zstdFrameLength(frame.subarray(0, 8)), null);
    assert.equal(zstdFrameLength(Buffer.from('not a zstd frame at all')), null);
    assert.equal(zstdFrameLength(Buffer.alloc(0)), null);
  });
});
