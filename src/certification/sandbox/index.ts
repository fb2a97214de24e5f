/**
 * `certifyInSandbox`: the certification engine (`certifyImages`) run in a child process with a
 * heap limit and a wall-clock limit (`certification.sandbox`), so a hostile image can at worst
 * fail its own certification: it cannot block the caller's event loop, exhaust its memory or
 * crash it. Outcomes: the engine's report or its VmarketError; past the time limit a report
 * failing `image.certification-time`; a process that died (out of memory, a native crash) or
 * spoke outside the protocol a report failing `image.certification-crash`; canceled: CANCELED.
 * Only a process that could not be started at all is an INTERNAL error (retryable: the image is
 * not to blame).
 */
import { certificationSandboxSchema } from '../../config/schema.ts';
import { VmarketError } from '../../errors.ts';
import { formatNumber } from '../../i18n/format.ts';
import { fixed, type Localized, type Phrase, say } from '../../i18n/localized.ts';
import { certificationCrash, certificationTime, type StoppedCheck } from '../checks/certification-stopped.ts';
import type { CertificationReport, CertifyImages, CertifyInput } from '../types.ts';
import { childMessageSchema, type CertifyRequest, type SandboxJob } from './messages.ts';
import { killProcess, prewarmProcess, releaseProcess, type SandboxProcess, takeProcess } from './processes.ts';
import { stoppedReport } from './stopped-report.ts';

export { sandboxPids } from './processes.ts';

const overTime: Phrase<[limitSeconds: number]> = {
  en: (s) => `the certification did not finish within its time limit of ${formatNumber(s, 'en')} s and was stopped`,
  de: (s) => `die Zertifizierung endete nicht innerhalb ihres Zeitlimits von ${formatNumber(s, 'de')} s und wurde abgebrochen`,
};
const overTimeEvidence: Phrase<[elapsedSeconds: number, limitSeconds: number]> = {
  en: (elapsed, s) => `stopped after ${formatNumber(elapsed, 'en')} s; the limit is certification.sandbox.timeLimitSeconds = ${formatNumber(s, 'en')}`,
  de: (elapsed, s) => `nach ${formatNumber(elapsed, 'de')} s abgebrochen; das Limit ist certification.sandbox.timeLimitSeconds = ${formatNumber(s, 'de')}`,
};
const crashed: Phrase<[reason: Localized]> = {
  en: (reason) => `the certification process stopped before it finished: ${reason.en}`,
  de: (reason) => `der Zertifizierungsprozess endete, bevor er fertig war: ${reason.de}`,
};
const outOfMemory: Phrase<[limitMiB: number]> = {
  en: (mib) => `it ran out of memory (heap limit certification.sandbox.memoryLimitMiB = ${formatNumber(mib, 'en')} MiB)`,
  de: (mib) => `ihm ging der Speicher aus (Heap-Limit certification.sandbox.memoryLimitMiB = ${formatNumber(mib, 'de')} MiB)`,
};
const exited: Phrase<[how: string, limitMiB: number]> = {
  en: (how, mib) => `it ended with ${how} (heap limit certification.sandbox.memoryLimitMiB = ${formatNumber(mib, 'en')} MiB)`,
  de: (how, mib) => `er endete mit ${how} (Heap-Limit certification.sandbox.memoryLimitMiB = ${formatNumber(mib, 'de')} MiB)`,
};
const OFF_PROTOCOL = fixed('it sent a message outside the sandbox protocol', 'er sandte eine Nachricht außerhalb des Sandbox-Protokolls');
const notStarted: Phrase<[reason: string]> = {
  en: (reason) => `the certification process could not be started: ${reason}`,
  de: (reason) => `der Zertifizierungsprozess konnte nicht gestartet werden: ${reason}`,
};

/** V8's words for a heap that hit its limit (it writes them to stderr, then aborts). */
const OUT_OF_MEMORY = /heap out of memory|Reached heap limit|Allocation failed/i;

type Ending =
  | { kind: 'report'; report: CertificationReport }
  | { kind: 'error'; error: VmarketError }
  | { kind: 'stopped'; check: StoppedCheck; message: Localized; detail: Localized }
  | { kind: 'canceled' }
  | { kind: 'not-started'; error: Error };

export const certifyInSandbox: CertifyImages = async (input: CertifyInput): Promise<CertificationReport> => {
  const { signal, onProgress, ...job } = input;
  const canceled = () => new VmarketError('CANCELED', 'the certification was canceled');
  if (signal?.aborted) throw canceled();
  const limits = certificationSandboxSchema.parse(job.config?.sandbox ?? {});
  const started = performance.now();
  const proc = takeProcess(limits.memoryLimitMiB);
  const ending = await runJob(proc, job, limits.timeLimitSeconds * 1000, signal, onProgress);
  switch (ending.kind) {
    case 'report':
      releaseProcess(proc);
      return ending.report;
    case 'error':
      releaseProcess(proc);
      throw ending.error;
    case 'canceled':
      await killProcess(proc);
      throw canceled();
    case 'not-started':
      await killProcess(proc);
      throw new VmarketError('INTERNAL', say(notStarted, ending.error.message), { cause: ending.error });
    case 'stopped':
      await killProcess(proc);
      prewarmProcess(limits.memoryLimitMiB);
      return stoppedReport(job, ending.check, ending.message, ending.detail, performance.now() - started);
  }
};

/** Sends the job and waits for how it ends; never rejects. */
function runJob(proc: SandboxProcess, job: SandboxJob, timeLimitMs: number, signal: AbortSignal | undefined, onProgress: CertifyInput['onProgress']): Promise<Ending> {
  const { child } = proc;
  const started = performance.now();
  return new Promise<Ending>((resolve) => {
    const crash = (reason: Localized): Ending => ({ kind: 'stopped', check: certificationCrash, message: say(crashed, reason), detail: reason });
    const finish = (ending: Ending) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      child.off('message', onMessage);
      child.off('exit', onExit);
      child.off('error', onError);
      resolve(ending);
    };
    const timer = setTimeout(() => {
      const elapsed = Math.round((performance.now() - started) / 1000);
      const limit = timeLimitMs / 1000;
      finish({ kind: 'stopped', check: certificationTime, message: say(overTime, limit), detail: say(overTimeEvidence, elapsed, limit) });
    }, timeLimitMs);
    const onAbort = () => finish({ kind: 'canceled' });
    const onMessage = (raw: unknown) => {
      const parsed = childMessageSchema.safeParse(raw);
      if (!parsed.success) return finish(crash(OFF_PROTOCOL));
      const message = parsed.data;
      if (message.type === 'progress') onProgress?.(message.fraction, message.phase);
      else if (message.type === 'report') finish({ kind: 'report', report: message.report as CertificationReport });
      else {
        const text = message.de === undefined ? message.message : { en: message.message, de: message.de };
        finish({ kind: 'error', error: new VmarketError(message.code, text, { details: message.details }) });
      }
    };
    const onExit = (code: number | null, exitSignal: NodeJS.Signals | null) => {
      // the exit event may come before the last stderr bytes: give them a moment
      setImmediate(() => {
        const how = exitSignal ? `signal ${exitSignal}` : `exit code ${code}`;
        finish(crash(OUT_OF_MEMORY.test(proc.stderrTail) ? say(outOfMemory, proc.memoryLimitMiB) : say(exited, how, proc.memoryLimitMiB)));
      });
    };
    const onError = (error: Error) => {
      if (child.pid === undefined) finish({ kind: 'not-started', error });
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.on('error', onError);
    const request: CertifyRequest = { type: 'certify', job };
    child.send(request, (error) => {
      if (error && child.pid === undefined) finish({ kind: 'not-started', error });
      // a send to a process that has just died: its exit event reports it
    });
  });
}
