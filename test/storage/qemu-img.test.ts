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
    const args = (from: string, to: Parameters<typeof convertArguments>[1]) => convertArguments(from, to, 'in', 'out').join(' ');
    assert.equal(args('qcow2', 'raw'), 'convert -p -f qcow2 in -O raw out');
    assert.equal(args('raw', 'qcow2'), 'convert -p -f raw in -O qcow2 out');
    assert.equal(args('vhdx', 'vmdk'), 'convert -p -f vhdx in -O vmdk -o subformat=streamOptimized out');
    assert.equal(args('vmdk', 'vhd-fixed'), 'convert -p -f vmdk in -O vpc -o subformat=fixed,force_size=on out');
    // a VHD is sized by its footer's current size, as certification read it, not by QEMU's CHS guess
    const vpc = 'convert -p --image-opts driver=vpc,force_size_calc=current_size,file.driver=file,file.filename=in';
    assert.equal(args('vhd-fixed', 'vhdx'), `${vpc} -O vhdx out`);
    assert.equal(args('vhd-dynamic', 'raw'), `${vpc} -O raw out`);
    assert.match(convertArguments('vhd-fixed', 'raw', '/a,b', 'out')[3], /file\.filename=\/a,,b$/, 'commas doubled');
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

  test('a failing conversion says why, names no partial file', async () => {
    const out = path.join(dir(), 'never.qcow2');
    await assert.rejects(
      convertWithQemuImg({ qemuImg: 'qemu-img', sourceFormat: 'qcow2', target: 'raw', input: path.join(dir(), 'disk.raw'), output: out }),
      (e: any) => e.code === 'IMAGE_UNSUPPORTED' && /qemu-img could not convert the qcow2 image to raw/.test(e.message),
    );
    assert.equal(await stat(out).catch(() => null), null);
  });
});
