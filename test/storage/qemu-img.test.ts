/**
 * The qemu-img runner: the arguments of each delivery format (the source format always given,
 * never probed), the `-p` progress parser, the program lookup, and a real conversion whose
 * progress arrives and whose cancel kills qemu-img and leaves no output.
 */
import assert from 'node:assert/strict';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { conversionToolWarning } from '../../src/config/load.ts';
import { convertArguments, convertWithQemuImg, findQemuImg, lastProgress, requireQemuImg } from '../../src/storage/qemu-img.ts';
import { patternedRaw, qemuImg } from '../fixtures/qemu.ts';
import { scratchDir } from '../helpers/files.ts';
import { needs } from '../helpers/tools.ts';

describe('qemu-img arguments', () => {
  test('each source format is passed explicitly, each target with its options', () => {
    const args = (from: string, to: Parameters<typeof convertArguments>[1]) => convertArguments(from, to, '/in', 'out');
    const source = (from: string, to: Parameters<typeof convertArguments>[1]) => JSON.parse(args(from, to)[2].replace(/^json:/, ''));
    assert.deepEqual(args('raw', 'qcow2'), ['convert', '-p', 'json:{"driver":"raw","file":{"driver":"file","filename":"/in"}}', '-O', 'qcow2', 'out']);
    assert.deepEqual(args('qcow2', 'raw').slice(3), ['-O', 'raw', 'out']);
    assert.deepEqual(args('vhdx', 'vmdk').slice(3), ['-O', 'vmdk', '-o', 'subformat=streamOptimized', 'out']);
    assert.deepEqual(args('vmdk', 'vhd-fixed').slice(3), ['-O', 'vpc', '-o', 'subformat=fixed,force_size=on', 'out']);
    assert.deepEqual(args('vhd-fixed', 'vhdx').slice(3), ['-O', 'vhdx', 'out']);
    // a backing file named in the header is never opened
    assert.deepEqual(source('qcow2', 'raw'), { driver: 'qcow2', file: { driver: 'file', filename: '/in' }, backing: null });
    assert.deepEqual(source('vmdk', 'raw'), { driver: 'vmdk', file: { driver: 'file', filename: '/in' }, backing: null });
    assert.deepEqual(source('vhdx', 'raw'), { driver: 'vhdx', file: { driver: 'file', filename: '/in' } });
    // a VHD is sized by its footer's current size, as certification read it, not by QEMU's CHS guess
    for (const vhd of ['vhd-fixed', 'vhd-dynamic']) {
      assert.deepEqual(source(vhd, 'raw'), { driver: 'vpc', file: { driver: 'file', filename: '/in' }, force_size_calc: 'current_size' });
    }
  });

  test('a format certification does not read is never handed to qemu-img', () => {
    for (const format of ['unknown', 'vhd-differencing', 'toString', '']) {
      assert.throws(() => convertArguments(format, 'raw', 'in', 'out'), (e: any) => e.code === 'IMAGE_UNSUPPORTED' && /cannot be converted/.test(e.message), format);
    }
  });
});

describe('qemu-img progress', () => {
  test('the last percentage of a piece of -p output', () => {
    assert.equal(lastProgress('    (0.00/100%)\r'), 0);
    assert.equal(lastProgress('    (12.50/100%)\r    (37.50/100%)\r'), 0.375);
    assert.equal(lastProgress('    (100.00/100%)\r\n'), 1);
    assert.equal(lastProgress('    (45.0'), undefined, 'half an update');
    assert.equal(lastProgress('qemu-img: error'), undefined);
  });
});

describe('finding qemu-img', () => {
  const dir = scratchDir('vmarket-qemu-img-');

  test('looked up on PATH, or the configured program; missing: TOOL_MISSING naming the Debian package', async () => {
    const fake = path.join(dir(), 'qemu-img');
    await writeFile(fake, '#!/bin/sh\nexit 0\n');
    await chmod(fake, 0o755);
    assert.equal(findQemuImg(undefined, `/nonexistent:${dir()}`), fake);
    assert.equal(findQemuImg(fake, ''), fake);
    assert.equal(findQemuImg(undefined, '/nonexistent'), null);
    assert.equal(findQemuImg(path.join(dir(), 'missing'), process.env.PATH), null);
    assert.throws(
      () => requireQemuImg(undefined, '/nonexistent'),
      (e: any) => e.code === 'TOOL_MISSING' && /qemu-img/.test(e.message) && /qemu-utils/.test(e.message) && /qemu-utils/.test(e.localized.de),
    );
  });

  test('the startup warning names the converting regions only when qemu-img is missing', () => {
    const regions = [
      { name: 'eastus', format: 'qcow2' as const },
      { name: 'westus', format: 'source' as const },
    ];
    const warning = conversionToolWarning(regions, undefined, '/nonexistent');
    assert.match(warning ?? '', /eastus \(qcow2\)/);
    assert.doesNotMatch(warning ?? '', /westus/);
    assert.match(warning ?? '', /qemu-utils/);
    assert.equal(conversionToolWarning([regions[1]], undefined, '/nonexistent'), undefined, 'nothing to convert');
  });
});

describe('converting with qemu-img', { skip: needs('qemu-img') }, () => {
  const dir = scratchDir('vmarket-qemu-convert-');

  test('progress arrives and the output is what qemu-img info says', async () => {
    const raw = await patternedRaw(path.join(dir(), 'disk.raw'), 16, 'convert');
    const out = path.join(dir(), 'disk.vhd');
    const seen: number[] = [];
    await convertWithQemuImg({ qemuImg: 'qemu-img', sourceFormat: 'raw', target: 'vhd-fixed', input: raw, output: out, onProgress: (f) => seen.push(f) });
    assert.ok(seen.length > 0 && seen.at(-1) === 1, JSON.stringify(seen));
    // a fixed VHD's footer is at its end, so qemu-img's probe calls it raw: asked as vpc
    const info = JSON.parse(await qemuImg(['info', '--output=json', '-f', 'vpc', out]));
    assert.equal(info.format, 'vpc');
    assert.equal(info['virtual-size'], 16 * 1024 * 1024, 'force_size keeps the exact virtual size');
    assert.equal((await stat(out)).size, 16 * 1024 * 1024 + 512, 'fixed: the disk, then the footer');
  });

  test('a cancel kills qemu-img and removes the partial output', async () => {
    const raw = await patternedRaw(path.join(dir(), 'slow.raw'), 32, 'slow');
    const out = path.join(dir(), 'slow.qcow2');
    const pidFile = path.join(dir(), 'pid');
    // the real qemu-img, rate-limited so the cancel lands mid-conversion, its pid recorded
    const slow = path.join(dir(), 'slow-qemu-img');
    await writeFile(slow, `#!/bin/sh\necho $$ > '${pidFile}'\nshift\nexec qemu-img convert -r 1M "$@"\n`);
    await chmod(slow, 0o755);
    const controller = new AbortController();
    const running = convertWithQemuImg({
      qemuImg: slow,
      sourceFormat: 'raw',
      target: 'qcow2',
      input: raw,
      output: out,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await assert.rejects(running, (e: any) => e.code === 'CANCELED');
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    assert.throws(() => process.kill(pid, 0), (e: any) => e.code === 'ESRCH', 'qemu-img is gone');
    assert.equal(await stat(out).catch(() => null), null, 'no partial output');
  });

  test('a qcow2 naming a backing file is converted without it: qemu-img opens no other file', async () => {
    const base = await patternedRaw(path.join(dir(), 'base.raw'), 8, 'base');
    const top = path.join(dir(), 'top.qcow2');
    await qemuImg(['create', '-q', '-f', 'qcow2', '-b', base, '-F', 'raw', top]);
    const out = path.join(dir(), 'top.raw');
    await convertWithQemuImg({ qemuImg: 'qemu-img', sourceFormat: 'qcow2', target: 'raw', input: top, output: out });
    const bytes = await readFile(out);
    assert.equal(bytes.length, 8 * 1024 * 1024);
    assert.ok(bytes.every((b) => b === 0), 'the backing file\'s data is not in the output');
  });

  test('a failing conversion says why, names no partial file', async () => {
    const out = path.join(dir(), 'never.qcow2');
    await assert.rejects(
      convertWithQemuImg({ qemuImg: 'qemu-img', sourceFormat: 'qcow2', target: 'raw', input: path.join(dir(), 'disk.raw'), output: out }),
      (e: any) => e.code === 'IMAGE_UNSUPPORTED' && /qemu-img could not convert the qcow2 image to raw/.test(e.message),
    );
    assert.equal(await stat(out).catch(() => null), null);
  });
});
