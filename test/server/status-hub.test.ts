/**
 * The status hub on its own, with a loader standing in for the database: one poller per offer
 * whatever the number of subscribers, only changed documents are handed out, and the poller
 * stops when the last subscriber leaves or the hub closes (no read after that).
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { StatusHub } from '../../src/server/status-hub.ts';

const INTERVAL = 10;

/** A loader whose documents the test sets, counting reads per offer. */
function fakeLoader() {
  const docs = new Map<string, string>();
  const reads = new Map<string, number>();
  return {
    docs,
    reads,
    load: async (pub: string, offer: string) => {
      const key = `${pub}/${offer}`;
      reads.set(key, (reads.get(key) ?? 0) + 1);
      const doc = docs.get(key);
      if (doc === undefined) throw new Error(`no document for ${key}`);
      return doc;
    },
  };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await sleep(5);
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('subscribers of one offer share one poller and get each changed document once', async () => {
  const loader = fakeLoader();
  loader.docs.set('a/x', '{"v":1}');
  const hub = new StatusHub(loader.load, { intervalMs: INTERVAL });
  const first: string[] = [];
  const second: string[] = [];
  const stopFirst = hub.subscribe('a', 'x', (json) => first.push(json), '{"v":1}');
  const stopSecond = hub.subscribe('a', 'x', (json) => second.push(json));
  assert.equal(hub.watchedOffers, 1);
  // the subscriber that did not say what it already has gets the current document
  await until(() => second.length === 1, 'the second subscriber\'s first document');
  assert.deepEqual(second, ['{"v":1}']);
  await until(() => (loader.reads.get('a/x') ?? 0) >= 3, 'a few more reads');
  assert.deepEqual(first, [], 'nothing changed for the first subscriber');

  loader.docs.set('a/x', '{"v":2}');
  await until(() => first.length === 1 && second.length === 2, 'the change');
  await until(() => (loader.reads.get('a/x') ?? 0) >= 8, 'more reads');
  assert.deepEqual(first, ['{"v":2}']);
  assert.deepEqual(second, ['{"v":1}', '{"v":2}']);

  stopFirst();
  stopFirst();
  assert.equal(hub.watchedOffers, 1, 'one subscriber is still there');
  stopSecond();
  assert.equal(hub.watchedOffers, 0);
  const reads = loader.reads.get('a/x');
  await sleep(INTERVAL * 5);
  assert.ok(loader.reads.get('a/x')! <= reads! + 1, 'the poller stopped (at most a read already under way)');
});

test('a failing read keeps the subscription; closing the hub stops every poller', async () => {
  const loader = fakeLoader();
  const hub = new StatusHub(loader.load, { intervalMs: INTERVAL });
  const got: string[] = [];
  hub.subscribe('a', 'y', (json) => got.push(json));
  hub.subscribe('b', 'z', () => {});
  assert.equal(hub.watchedOffers, 2);
  await until(() => (loader.reads.get('a/y') ?? 0) >= 2, 'failing reads');
  loader.docs.set('a/y', '{"ok":true}');
  await until(() => got.length === 1, 'the document after the failures');

  hub.close();
  assert.equal(hub.watchedOffers, 0);
  const reads = loader.reads.get('a/y');
  await sleep(INTERVAL * 5);
  assert.ok(loader.reads.get('a/y')! <= reads! + 1);
  hub.subscribe('a', 'y', () => {});
  assert.equal(hub.watchedOffers, 0, 'a closed hub takes no new subscribers');
});
