/**
 * `vmarket offer validate FILE`: the prerequisite checks run locally against the local config,
 * every problem printed with its field path at once, exit 1 when invalid and 0 when valid.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import YAML from 'yaml';
import { vmarket } from '../helpers/cli.ts';

let tmp: string;
let config: string;
let imagesDir: string;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vmarket-cli-validate-'));
  imagesDir = path.join(tmp, 'images');
  // the publisher contoso imports from its own subtree of the import root
  await mkdir(path.join(imagesDir, 'contoso'), { recursive: true });
  // the prerequisite check only needs the source readable; the image itself is certified later
  await writeFile(path.join(imagesDir, 'contoso', 'os.vhd'), Buffer.alloc(4096));
  config = path.join(tmp, 'vmarket.yaml');
  await writeFile(config, YAML.stringify({ dataDir: path.join(tmp, 'data'), imports: { allowedDirs: [imagesDir] } }));
});

after(() => rm(tmp, { recursive: true, force: true }));

function offer(overrides: (doc: Record<string, any>) => void): Record<string, unknown> {
  const doc: Record<string, any> = {
    id: 'good-offer',
    publisher: 'contoso',
    listing: {
      title: 'Good offer',
      summary: 'A valid offer.',
      description: 'Valid.',
      categories: ['linux'],
      keywords: [],
      privacyUrl: 'https://example.com/privacy',
      termsOfUse: 'Terms.',
      support: { name: 'Support', email: 'support@example.com' },
      engineering: { name: 'Eng', email: 'eng@example.com' },
    },
    previewAudience: [],
    leads: { destination: 'none' },
    plans: [
      {
        id: 'standard',
        title: 'Standard',
        summary: 'Standard plan.',
        description: 'Standard plan.',
        os: { family: 'linux', type: 'ubuntu', name: 'Ubuntu 22.04' },
        regions: ['westeurope'],
        recommendedSizes: ['small'],
        openPorts: [],
        pricing: { model: 'free' },
        images: [{ version: '1.0.0', osDisk: 'os.vhd' }],
      },
    ],
  };
  overrides(doc);
  return doc;
}

test('a valid offer file passes (exit 0)', async () => {
  const file = path.join(tmp, 'good.yaml');
  await writeFile(file, YAML.stringify(offer(() => {})));
  const result = await vmarket(['offer', 'validate', file, '--config', config]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /valid/);
});

test('an invalid offer file lists every problem with its path and exits 1', async () => {
  const file = path.join(tmp, 'bad.yaml');
  await writeFile(
    file,
    YAML.stringify(
      offer((doc) => {
        doc.id = 'Bad ID!';
        doc.listing.title = 'x'.repeat(51);
        doc.listing.categories = ['no-such-category'];
        doc.plans[0].regions = ['westeurope', 'atlantis'];
        doc.plans[0].images[0].osDisk = '../../etc/passwd';
        doc.plans[0].images[0].dataDisks = [{ lun: 1, source: 'os.vhd' }];
      }),
    ),
  );
  const result = await vmarket(['offer', 'validate', file, '--config', config]);
  assert.equal(result.code, 1, result.stderr);
  for (const p of ['id', 'listing.title', 'listing.categories[0]', 'plans[0].regions[1]', 'plans[0].images[0].osDisk', 'plans[0].images[0].dataDisks[0]']) {
    assert.match(result.stderr, new RegExp(`^  ${p.replace(/[.[\]]/g, '\\$&')}[.\\w\\[\\]]*: `, 'm'), `a problem at ${p}:\n${result.stderr}`);
  }
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');

  const json = await vmarket(['offer', 'validate', file, '--config', config, '--json']);
  assert.equal(json.code, 1);
  const report = JSON.parse(json.stdout) as { valid: boolean; problems: { path: string; message: string }[] };
  assert.equal(report.valid, false);
  assert.ok(report.problems.length >= 6);
  // exactly {path, message}, in English: the other languages are for the API's Accept-Language
  for (const problem of report.problems) assert.deepEqual(Object.keys(problem).sort(), ['message', 'path']);
});

test('a file that is not YAML exits 2', async () => {
  const file = path.join(tmp, 'broken.yaml');
  await writeFile(file, 'id: [unclosed\n');
  const result = await vmarket(['offer', 'validate', file, '--config', config]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /is not valid YAML/);
});
