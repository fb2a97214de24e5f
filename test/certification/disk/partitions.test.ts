import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { VmarketError } from '../../../src/errors.ts';
import { bufferReader } from '../../../src/certification/disk/buffer-reader.ts';
import { readPartitionTable } from '../../../src/certification/disk/partitions.ts';
import type { PartitionTable, RangeReader } from '../../../src/certification/disk/types.ts';
import { buildImage } from '../../fixtures/images.ts';
import { extendedChain, GPT_TYPES, gptStructures, gptUsable, mbrSector, SECTOR, type GptOptions, type GptPartitionSpec, type Write } from '../../fixtures/partition-writer.ts';
import { english, MiB, run } from './helpers.ts';
import { scratchDir } from '../../helpers/files.ts';
import { needs } from '../../helpers/tools.ts';

const DISK = 16 * MiB;
const LAST_LBA = DISK / SECTOR - 1;

function disk(writes: Write[], size = DISK): Buffer {
  const bytes = Buffer.alloc(size);
  for (const { offset, bytes: piece } of writes) piece.copy(bytes, offset);
  return bytes;
}

const table = (bytes: Buffer): Promise<PartitionTable> => readPartitionTable(bufferReader(bytes));

const GPT_PARTS: GptPartitionSpec[] = [
  { type: GPT_TYPES.biosBoot, firstLba: 2048, lastLba: 4095, name: 'bios' },
  { type: GPT_TYPES.efi, firstLba: 4096, lastLba: 8191, name: 'EFI System' },
  { type: GPT_TYPES.linux, firstLba: 8192, lastLba: 24575, name: 'root', attributes: 4n },
  { type: GPT_TYPES.swap, firstLba: 24576, lastLba: 28671 },
];

/** The extended layout used twice: primary 1, extended 2 from sector 8192 to the end, logicals 5 and 6. */
const EXTENDED = {
  primaries: [
    { type: 0x83, startLba: 2048, sectors: 4096, bootable: true },
    { type: 0x05, startLba: 8192, sectors: DISK / SECTOR - 8192 },
  ],
  logicals: [
    { type: 0x8e, ebrLba: 8192, startLba: 10240, sectors: 4096 },
    { type: 0x82, ebrLba: 16384, startLba: 18432, sectors: 8192 },
  ],
};

describe('MBR', () => {
  it('lists primary, extended and logical partitions, numbered as Linux numbers them', async () => {
    const result = await table(disk([{ offset: 0, bytes: mbrSector(EXTENDED.primaries) }, ...extendedChain(8192, EXTENDED.logicals)]));
    assert.equal(result.scheme, 'mbr');
    assert.deepEqual(english(result.problems), []);
    assert.deepEqual(
      result.partitions.map((p) => [p.number, p.type, p.typeName, p.startByte, p.sizeBytes, p.bootable]),
      [
        [1, '0x83', 'Linux', 2048 * SECTOR, 4096 * SECTOR, true],
        [2, '0x05', 'extended', 8192 * SECTOR, DISK - 8192 * SECTOR, false],
        [5, '0x8e', 'Linux LVM', 10240 * SECTOR, 4096 * SECTOR, false],
        [6, '0x82', 'Linux swap', 18432 * SECTOR, 8192 * SECTOR, false],
      ],
    );
  });

  it('stops at a chain of logical partitions that loops, and says so', async () => {
    const chain = extendedChain(8192, EXTENDED.logicals);
    // The second EBR (sector 16384) links to itself: relative to the container at 8192.
    const link = 446 + 16;
    chain[1].bytes[link + 4] = 0x05;
    chain[1].bytes.writeUInt32LE(16384 - 8192, link + 8);
    chain[1].bytes.writeUInt32LE(2048, link + 12);
    const result = await table(disk([{ offset: 0, bytes: mbrSector(EXTENDED.primaries) }, ...chain]));
    assert.deepEqual(result.partitions.map((p) => p.number), [1, 2, 5, 6]);
    assert.deepEqual(english(result.problems), ['The extended partition\'s chain of logical partitions loops back to sector 16384.']);
  });

  it('reports an extended boot record without its signature', async () => {
    const chain = extendedChain(8192, EXTENDED.logicals);
    chain[1].bytes[511] = 0;
    const result = await table(disk([{ offset: 0, bytes: mbrSector(EXTENDED.primaries) }, ...chain]));
    assert.deepEqual(result.partitions.map((p) => p.number), [1, 2, 5]);
    assert.deepEqual(english(result.problems), ['The logical partition table at sector 16384 lacks the boot signature 0x55AA.']);
  });

  it('reports a logical partition outside its extended partition', async () => {
    const chain = extendedChain(8192, [{ type: 0x83, ebrLba: 8192, startLba: 10240, sectors: 4096 }]);
    const primaries = [EXTENDED.primaries[0], { type: 0x05, startLba: 8192, sectors: 4096 }];
    const result = await table(disk([{ offset: 0, bytes: mbrSector(primaries) }, ...chain]));
    assert.match(english(result.problems).join('\n'), /^Logical partition 5 \(.*\) lies outside its extended partition 2/m);
  });

  it('reports partitions beyond the end of the disk and overlapping partitions', async () => {
    const sector = mbrSector([
      { type: 0x83, startLba: 2048, sectors: 16384 },
      { type: 0x83, startLba: 16384, sectors: 8192 },
      { type: 0x82, startLba: 30000, sectors: 4096 },
    ]);
    const result = await table(disk([{ offset: 0, bytes: sector }]));
    assert.equal(result.partitions.length, 3);
    assert.deepEqual(english(result.problems), [
      `Partition 3 (Linux swap, bytes ${30000 * SECTOR}–${34096 * SECTOR - 1}) ends beyond the end of the disk (${DISK} bytes).`,
      `Partitions 1 (bytes ${2048 * SECTOR}–${18432 * SECTOR - 1}) and 2 (bytes ${16384 * SECTOR}–${24576 * SECTOR - 1}) overlap.`,
    ]);
  });

  it('reports a disk without a partition table, an empty MBR, and a boot sector that is no MBR', async () => {
    const none = await table(Buffer.alloc(DISK));
    assert.equal(none.scheme, 'none');
    assert.match(english(none.problems)[0], /no partition table/);

    const empty = await table(disk([{ offset: 0, bytes: mbrSector([]) }]));
    assert.equal(empty.scheme, 'mbr');
    assert.deepEqual(english(empty.problems), ['The MBR lists no partitions.']);

    const boot = mbrSector([]);
    boot.fill(0x90, 446, 510); // code where the entries would be, as in a FAT or NTFS boot sector
    const notMbr = await table(disk([{ offset: 0, bytes: boot }]));
    assert.equal(notMbr.scheme, 'none');
    assert.match(english(notMbr.problems)[0], /no valid MBR: entry 1 has the status byte 0x90/);
  });

  it('reports a table it cannot read instead of throwing', async () => {
    const bytes = disk([{ offset: 0, bytes: mbrSector(EXTENDED.primaries) }, ...extendedChain(8192, EXTENDED.logicals)]);
    const inner = bufferReader(bytes);
    const failing: RangeReader = {
      size: inner.size,
      read: async (position, length) => {
        if (position > 0) throw new VmarketError('IMAGE_CORRUPT', 'The image file ended while reading it.');
        return inner.read(position, length);
      },
      slice: (offset, length) => inner.slice(offset, length),
    };
    const result = await readPartitionTable(failing);
    assert.equal(result.scheme, 'none');
    assert.deepEqual(english(result.problems), ['The partition table could not be read: The image file ended while reading it.']);
  });
});

describe('GPT', () => {
  const gpt = (parts = GPT_PARTS, options?: GptOptions) => disk(gptStructures(DISK, parts, options));
  const expected = [
    [1, GPT_TYPES.biosBoot, 'BIOS boot', 'bios', 2048 * SECTOR, 2048 * SECTOR, false],
    [2, GPT_TYPES.efi, 'EFI system', 'EFI System', 4096 * SECTOR, 4096 * SECTOR, false],
    [3, GPT_TYPES.linux, 'Linux filesystem', 'root', 8192 * SECTOR, 16384 * SECTOR, true],
    [4, GPT_TYPES.swap, 'Linux swap', undefined, 24576 * SECTOR, 4096 * SECTOR, false],
  ];
  const summary = (result: PartitionTable) =>
    result.partitions.map((p) => [p.number, p.type, p.typeName, p.name, p.startByte, p.sizeBytes, p.bootable]);

  it('reads the partitions behind a protective MBR', async () => {
    const result = await table(gpt());
    assert.equal(result.scheme, 'gpt');
    assert.deepEqual(english(result.problems), []);
    assert.deepEqual(summary(result), expected);
  });

  it('reads entries of 256 bytes and a short entry array', async () => {
    const result = await table(gpt(GPT_PARTS, { entrySize: 256, entryCount: 16 }));
    assert.deepEqual(english(result.problems), []);
    assert.deepEqual(summary(result), expected);
  });

  it('reads the backup header when the primary header\'s CRC is wrong, and says so', async () => {
    const bytes = gpt();
    bytes[SECTOR + 60] ^= 0xff; // inside the disk GUID, covered by the header CRC
    const result = await table(bytes);
    assert.deepEqual(summary(result), expected);
    assert.equal(english(result.problems).length, 2);
    assert.match(english(result.problems)[0], /^The primary GPT header at LBA 1 has CRC32 0x[0-9a-f]{8}, but its contents give 0x[0-9a-f]{8}\.$/);
    assert.equal(english(result.problems)[1], `The backup GPT header at LBA ${LAST_LBA} was read instead of the primary one.`);
  });

  it('reads the backup when the primary entry array\'s CRC is wrong, and says so', async () => {
    const bytes = gpt();
    bytes[2 * SECTOR + 128 + 60] ^= 0x20; // the second entry's name
    const result = await table(bytes);
    assert.deepEqual(summary(result), expected);
    assert.match(english(result.problems)[0], /^The partition entry array of the primary GPT header \(LBA 2\) has CRC32 0x[0-9a-f]{8}, but its contents give 0x[0-9a-f]{8}\.$/);
    assert.match(english(result.problems)[1], /backup GPT header .* was read instead/);
  });

  it('reports a damaged backup header while reading the primary', async () => {
    const bytes = gpt();
    bytes[LAST_LBA * SECTOR + 40] ^= 1;
    const result = await table(bytes);
    assert.deepEqual(summary(result), expected);
    assert.deepEqual(english(result.problems).length, 1);
    assert.match(english(result.problems)[0], new RegExp(`^The backup GPT header at LBA ${LAST_LBA} has CRC32`));
  });

  it('reports a GPT with neither header readable', async () => {
    const bytes = gpt();
    bytes[SECTOR] = 0;
    bytes[LAST_LBA * SECTOR] = 0;
    const result = await table(bytes);
    assert.equal(result.scheme, 'gpt');
    assert.deepEqual(result.partitions, []);
    assert.deepEqual(english(result.problems), [
      'The primary GPT header at LBA 1 lacks the signature "EFI PART".',
      `The backup GPT header at LBA ${LAST_LBA} lacks the signature "EFI PART".`,
      'No valid GPT header was found, so the GPT partitions cannot be read.',
    ]);
  });

  it('reports partitions outside the usable sectors, beyond the disk, or overlapping', async () => {
    const usable = gptUsable(DISK);
    const result = await table(
      gpt([
        { type: GPT_TYPES.linux, firstLba: 2048, lastLba: 20000 },
        { type: GPT_TYPES.linux, firstLba: 16384, lastLba: 24575 },
        { type: GPT_TYPES.swap, firstLba: 30000, lastLba: 40000 },
      ]),
    );
    assert.equal(result.partitions.length, 3);
    assert.deepEqual(english(result.problems), [
      `GPT partition 3 (LBA 30000–40000) lies outside the usable sectors LBA ${usable.first}–${usable.last}.`,
      `Partition 3 (Linux swap, bytes ${30000 * SECTOR}–${40001 * SECTOR - 1}) ends beyond the end of the disk (${DISK} bytes).`,
      `Partitions 1 (bytes ${2048 * SECTOR}–${20001 * SECTOR - 1}) and 2 (bytes ${16384 * SECTOR}–${24576 * SECTOR - 1}) overlap.`,
    ]);
  });

  it('reports the first problems of a table with hundreds, and how many more there are', async () => {
    const parts = Array.from({ length: 100 }, () => ({ type: GPT_TYPES.linux, firstLba: 2048, lastLba: 4095 }));
    const result = await table(gpt(parts));
    assert.equal(result.partitions.length, 100);
    assert.equal(english(result.problems).length, 20);
    assert.equal(english(result.problems)[19], '… and 80 more problems of the same kind.');
  });

  it('reads a GPT without its protective MBR, and says so', async () => {
    const bytes = gpt();
    bytes.fill(0, 0, SECTOR);
    const result = await table(bytes);
    assert.deepEqual(summary(result), expected);
    assert.deepEqual(english(result.problems), ['Sector 0 holds no protective MBR (boot signature 0x55AA missing) in front of the GPT.']);
  });
});

describe('tables cross-checked with sfdisk (util-linux)', { skip: needs('sfdisk') }, () => {
  const scratch = scratchDir('vmarket-disk-');

  /** sfdisk's view: [start byte, size bytes, type] per partition. */
  async function sfdiskView(path: string): Promise<{ label: string; parts: [number, number, string][] }> {
    const { stdout } = await run('sfdisk', ['--json', path]);
    const json = JSON.parse(stdout).partitiontable;
    return {
      label: json.label,
      parts: json.partitions.map((p: { start: number; size: number; type: string }) => [p.start * SECTOR, p.size * SECTOR, p.type.toLowerCase()]),
    };
  }

  it('our MBR and GPT fixtures read the same in sfdisk and in our reader', async () => {
    for (const partitionTable of ['mbr', 'gpt'] as const) {
      const path = await buildImage({ files: [], output: join(scratch(), `${partitionTable}.raw`), format: 'raw', sizeMiB: 32, partitionTable, swapPartitionMiB: 4 });
      await run('sfdisk', ['--verify', path]);
      const theirs = await sfdiskView(path);
      const ours = await table(await readFile(path));
      assert.equal(theirs.label, partitionTable === 'mbr' ? 'dos' : 'gpt');
      assert.deepEqual(english(ours.problems), []);
      assert.deepEqual(
        ours.partitions.map((p) => [p.startByte, p.sizeBytes, p.scheme === 'mbr' ? p.type.slice(2).replace(/^0/, '') : p.type]),
        theirs.parts,
      );
    }
  });

  it('our reader lists the logical partitions of an extended partition sfdisk wrote', async () => {
    const path = join(scratch(), 'extended.raw');
    await writeFile(path, Buffer.alloc(DISK));
    const script = 'label: dos\nstart=2048, size=4096, type=83\nstart=8192, type=5\nstart=10240, size=4096, type=8e\nstart=16384, size=8192, type=82\n';
    await run('sh', ['-c', `printf '%s' "$1" | sfdisk -q ${path}`, 'sh', script]);
    const ours = await table(await readFile(path));
    assert.deepEqual(english(ours.problems), []);
    const theirs = await sfdiskView(path);
    assert.deepEqual(
      ours.partitions.map((p) => [p.number, p.startByte, p.sizeBytes]),
      theirs.parts.map((p, index) => [index < 2 ? index + 1 : index + 3, p[0], p[1]]),
    );
    assert.deepEqual(ours.partitions.map((p) => p.typeName), ['Linux', 'extended', 'Linux LVM', 'Linux swap']);
  });
});
