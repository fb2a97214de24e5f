import assert from 'node:assert/strict';

/** Asserts `promise` rejects with a VmarketError of `code` whose message mentions `mentions`. */
export async function rejectsWith(promise: Promise<unknown>, code: string, mentions: string): Promise<void> {
  await assert.rejects(promise, (error: any) => {
    assert.equal(error.code, code);
    assert.ok(error.message.includes(mentions), error.message);
    return true;
  });
}
