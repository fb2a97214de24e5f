/**
 * The prerequisite checks: every problem at once with its path; image paths confined to the
 * import directories after symlinks; URLs only https under an allowed prefix and never to
 * non-public addresses; operator regions and categories; LUN order; versions never reused.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig, type Config } from '../../src/config/load.ts';
import { validateOffer } from '../../src/offers/validate.ts';
import { offerDocument } from '../helpers/offers.ts';

let tmp: string;
let images: string;
let config: Config;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vmarket-validate-'));
  images = path.join(tmp, 'images');
  // the offers' publisher contoso imports from its subtree; the root itself is nobody's
  const own = path.join(images, 'contoso');
  await mkdir(own, { recursive: true });
  await writeFile(path.join(own, 'os.vhd'), 'x');
  await writeFile(path.join(own, 'data0.vhd'), 'x');
  await writeFile(path.join(images, 'secret.vhd'), 'in the root, not in the subtree');
  await symlink(path.join(images, 'secret.vhd'), path.join(own, 'escape.vhd'));
  config = loadConfig({
    cwd: tmp,
    env: {},
    overrides: { dataDir: path.join(tmp, 'data'), imports: { allowedDirs: [images], allowedUrlPrefixes: ['https://images.example.com/'] } },
  });
});
after(() => rm(tmp, { recursive: true, force: true }));

function offer(change: (doc: any) => void = () => {}): any {
  const doc: any = offerDocument({ id: 'ubuntu-hardened', publisher: 'contoso', osDisk: 'os.vhd' });
  doc.plans[0].images[0].dataDisks = [{ lun: 0, source: 'data0.vhd' }];
  change(doc);
  return doc;
}

const paths = (problems: { path: string }[]) => problems.map((p) => p.path).sort();

test('a valid offer passes with defaults applied', async () => {
  const result = await validateOffer(offer(), { config, publisherId: 'contoso', offerId: 'ubuntu-hardened' });
  assert.deepEqual(result.problems, []);
  assert.equal(result.offer?.plans[0].images[0].dataDisks[0].lun, 0);
});

test('every problem is reported at once, each with its path', async () => {
  const result = await validateOffer(
    offer((d) => {
      d.id = 'Bad ID';
      d.publisher = 'fabrikam';
      d.listing.title = 'x'.repeat(51);
      d.listing.categories = ['linux', 'no-such-category'];
      d.listing.privacyUrl = 'http://example.com/privacy';
      d.previewAudience = ['not-a-guid'];
      d.plans[0].regions = ['westeurope', 'atlantis'];
      d.plans[0].pricing = { model: 'hourly' };
      d.plans[0].images[0].dataDisks = [{ lun: 1, source: 'data0.vhd' }];
    }),
    { config, publisherId: 'contoso' },
  );
  assert.equal(result.offer, null);
  assert.deepEqual(paths(result.problems), [
    'id',
    'listing.categories[1]',
    'listing.privacyUrl',
    'listing.title',
    'plans[0].images[0].dataDisks[0].lun',
    'plans[0].pricing.hourlyUsd',
    'plans[0].regions[1]',
    'previewAudience[0]',
    'publisher',
  ]);
  for (const p of result.problems) assert.ok(p.message.length > 5, `a message for ${p.path}`);
});

test('image paths cannot leave the import directories, by .. or by symlink', async () => {
  const result = await validateOffer(
    offer((d) => {
      d.plans[0].images[0].osDisk = '../secret.vhd';
      d.plans[0].images[0].dataDisks = [{ lun: 0, source: 'escape.vhd' }];
      d.plans.push({ ...d.plans[0], id: 'abs', images: [{ version: '1.0.0', osDisk: path.join(images, 'secret.vhd') }] });
      d.plans.push({ ...d.plans[0], id: 'missing', images: [{ version: '1.0.0', osDisk: 'nope.vhd' }] });
    }),
    { config },
  );
  assert.deepEqual(paths(result.problems), [
    'plans[0].images[0].dataDisks[0].source',
    'plans[0].images[0].osDisk',
    'plans[1].images[0].osDisk',
    'plans[2].images[0].osDisk',
  ]);
});

test('image URLs must be https, under an allowed prefix, and not private addresses', async () => {
  const result = await validateOffer(
    offer((d) => {
      d.plans[0].images[0].osDisk = 'http://images.example.com/os.vhd';
      d.plans[0].images[0].dataDisks = [{ lun: 0, source: 'https://elsewhere.example.com/d.vhd' }];
    }),
    { config },
  );
  assert.deepEqual(paths(result.problems), ['plans[0].images[0].dataDisks[0].source', 'plans[0].images[0].osDisk']);

  const local = loadConfig({ cwd: tmp, env: {}, overrides: { dataDir: path.join(tmp, 'data'), imports: { allowedDirs: [images], allowedUrlPrefixes: ['https://127.0.0.1/'] } } });
  const loopback = await validateOffer(offer((d) => (d.plans[0].images[0].osDisk = 'https://127.0.0.1/os.vhd')), { config: local });
  assert.equal(loopback.problems.length, 1);
  assert.match(loopback.problems[0].message, /loopback|private|non-public|not allowed/i);
});

test('a version already published for the plan is refused', async () => {
  const result = await validateOffer(offer(), { config, usedVersions: new Map([['standard', new Set(['1.0.0'])]]) });
  assert.deepEqual(paths(result.problems), ['plans[0].images[0].version']);
  assert.match(result.problems[0].message, /already published/);
});

test('an enabled test drive needs regions of its plans and a manual', async () => {
  const result = await validateOffer(
    offer((d) => (d.testDrive = { enabled: true, regions: ['atlantis'], hotInstances: 11, durationHours: 2 })),
    { config },
  );
  assert.deepEqual(paths(result.problems), ['testDrive.hotInstances', 'testDrive.regions[0]', 'testDrive.userManualUrl']);
});

test('garbage is one list of problems, not an exception', async () => {
  for (const doc of [null, 42, 'text', [], { plans: 'x' }]) {
    const result = await validateOffer(doc, { config });
    assert.equal(result.offer, null);
    assert.ok(result.problems.length > 0);
  }
});
