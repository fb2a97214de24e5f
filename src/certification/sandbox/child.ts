/**
 * The certification process's entry (forked by processes.ts with a heap limit): certifies one job
 * at a time as the parent asks over IPC, sending progress, then the report or the engine's
 * VmarketError, and waits for the next job. Cancel and the time limit are the parent's: it kills
 * this process, so nothing here needs to watch a clock or a signal. It ends with the parent.
 */
import { certifyImages } from '../index.ts';
import { isVmarketError } from '../../errors.ts';
import type { CertifyRequest, SentChildMessage } from './messages.ts';

function send(message: SentChildMessage): Promise<void> {
  return new Promise((resolve) => process.send?.(message, undefined, {}, () => resolve()));
}

const clip = (text: string) => text.slice(0, 4000);

async function certify(request: CertifyRequest): Promise<void> {
  try {
    const report = await certifyImages({
      ...request.job,
      onProgress: (fraction, phase) => void send({ type: 'progress', fraction, phase: phase.slice(0, 500) }),
    });
    await send({ type: 'report', report });
  } catch (error) {
    // clipped to what the parent's schema accepts (messages.ts): a long path must not turn an error into a crash
    if (isVmarketError(error)) {
      const details = error.details.slice(0, 100).map((d) => ({ ...d, message: clip(d.message), ...(d.path === undefined ? {} : { path: d.path.slice(0, 1000) }) }));
      await send({ type: 'error', code: error.code, message: clip(error.message), ...(error.localized ? { de: clip(error.localized.de) } : {}), details });
    } else {
      await send({ type: 'error', code: 'INTERNAL', message: clip(`the certification failed: ${error instanceof Error ? error.message : String(error)}`), details: [] });
    }
  }
}

process.on('message', (message: CertifyRequest) => {
  if (message?.type === 'certify') void certify(message);
});
// the parent is gone (it exited or dropped this process): nothing is left to certify for
process.on('disconnect', () => process.exit(0));
