import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERROR_CODES, type ErrorCode, isRetryable, VmarketError } from '../../src/errors.ts';
import { withRetries } from '../../src/security/retry.ts';

test('the error table says which codes are not worth retrying; other errors are', () => {
  const permanent = (Object.keys(ERROR_CODES) as ErrorCode[]).filter((code) => !ERROR_CODES[code].retryable).sort();
  // the pipeline runner's former list, plus CANCELED (withRetries always stopped on it) and
  // DELIVERY_REFUSED (a receiver's no, formerly the PermanentFailure wrapper) and IMAGE_CHANGED
  // (a source that no longer holds its certified bytes) and DOWNLOAD_TOO_LARGE (an image URL past
  // imports.maxDownloadBytes) and NO_LONGER_SOLD (a plan its publisher stopped selling, a revoked version)
  assert.deepEqual(permanent, [
    'BAD_REQUEST',
    'CANCELED',
    'CERTIFICATION_FAILED',
    'CONFIG_INVALID',
    'DELIVERY_REFUSED',
    'DOWNLOAD_TOO_LARGE',
    'FILE_UNREADABLE',
    'IMAGE_CHANGED',
    'IMAGE_CORRUPT',
    'IMAGE_UNSUPPORTED',
    'NO_LONGER_SOLD',
    'PATH_NOT_ALLOWED',
    'TOOL_MISSING',
    'URL_NOT_ALLOWED',
    'VALIDATION_FAILED',
  ]);
  assert.equal(isRetryable(new VmarketError('STORAGE_FAILED', 'x')), true);
  assert.equal(isRetryable(new VmarketError('DELIVERY_REFUSED', 'x')), false);
  assert.equal(isRetryable(new Error('ECONNRESET')), true);
  assert.equal(isRetryable('a string'), true);
});

test('withRetries retries transient errors and stops at once on a non-retryable one', async () => {
  let calls = 0;
  const value = await withRetries(
    async (n) => {
      calls = n;
      if (n < 3) throw new Error('flaky');
      return 'ok';
    },
    { attempts: 5, baseDelayMs: 1 },
  );
  assert.equal(value, 'ok');
  assert.equal(calls, 3);

  calls = 0;
  await assert.rejects(
    withRetries(
      async (n) => {
        calls = n;
        throw new VmarketError('DELIVERY_REFUSED', 'HTTP 403');
      },
      { attempts: 5, baseDelayMs: 1 },
    ),
    (error: VmarketError) => error.code === 'DELIVERY_REFUSED' && error.message === 'HTTP 403',
  );
  assert.equal(calls, 1, 'a refusal is not tried again');

  calls = 0;
  await assert.rejects(
    withRetries(
      async (n) => {
        calls = n;
        throw new VmarketError('LEAD_DELIVERY_FAILED', 'HTTP 503');
      },
      { attempts: 3, baseDelayMs: 1 },
    ),
    (error: VmarketError) => error.code === 'LEAD_DELIVERY_FAILED',
  );
  assert.equal(calls, 3, 'a retryable code uses every attempt, then the last error is thrown');
});
