/**
 * `vmarket status OFFER_ID [--watch] [--json]`: the step table. `--watch` redraws it in place on
 * a terminal (successive snapshots when stdout is not one) until the publication ends or waits
 * for a review; it exits 1 when the publication failed or was canceled.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import type { OfferStatusDocument } from '../../contracts/index.ts';
import { TERMINAL_STATUSES } from '../../contracts/index.ts';
import { offerPath, openSession, resolvePublisher, type ServerFlags, withServerOptions } from '../common.ts';
import { publicationFailure } from '../follow.ts';
import { print, printJson, reportFailure } from '../output.ts';
import { renderStatus } from '../status-view.ts';

/** States `--watch` stops at: nothing more happens without someone acting. */
const WATCH_STOPS = new Set([...TERMINAL_STATUSES, 'waitingForPublisherReview', 'neverPublished']);

export function registerStatusCommand(program: Command): void {
  withServerOptions(
    program
      .command('status')
      .description('the step table of the offer\'s publication: status, progress, elapsed vs expected maximum, stuck flag, messages')
      .argument('<offer-id>', 'the offer')
      .option('--watch', 'redraw live until the publication ends or waits for a review (exit 1 if it failed or was canceled)')
      .option('--interval <seconds>', 'poll interval for --watch (default 1)', (v) => Number(v))
      .option('--json', 'print the status as one JSON document (with --watch: the final one)'),
  ).action(async (offerId: string, flags: ServerFlags & { watch?: boolean; json?: boolean; interval?: number }, command: Command) => {
    const session = await openSession(flags);
    const publisher = await resolvePublisher(session, flags);
    const label = `${publisher}/${offerId}`;
    const path = `${offerPath(publisher, offerId)}/status`;
    const fetchStatus = async () => (await session.client.get<OfferStatusDocument>(path)).body;

    if (!flags.watch) {
      const view = await fetchStatus();
      if (flags.json) printJson(view);
      else print(...renderStatus(view, { label }));
      return;
    }

    const tty = Boolean(process.stdout.isTTY) && !flags.json;
    const intervalMs = Math.max(0.2, Number.isFinite(flags.interval) ? (flags.interval as number) : 1) * 1000;
    let drawn = 0;
    let lastSnapshot = '';
    let view: OfferStatusDocument;
    for (;;) {
      view = await fetchStatus();
      const done = WATCH_STOPS.has(view.status) || view.steps.some((s) => s.status === 'waitingForApproval');
      if (tty) {
        const lines = renderStatus(view, { label, width: (process.stdout.columns || 120) - 1 });
        // move up over the previous frame and clear it, then draw the new one
        process.stdout.write(`${drawn ? `\x1b[${drawn}F\x1b[0J` : ''}${lines.join('\n')}\n`);
        drawn = lines.length;
      } else if (!flags.json) {
        // plain output: a new snapshot only when something other than the clock changed
        const snapshot = JSON.stringify([view.status, view.steps.map((s) => [s.status, s.progressPercentage, s.stuck, s.messages.length])]);
        if (snapshot !== lastSnapshot) {
          print(...(lastSnapshot ? [''] : []), `[${new Date().toISOString().slice(11, 19)}]`, ...renderStatus(view, { label }));
          lastSnapshot = snapshot;
        }
      }
      if (done) break;
      await sleep(intervalMs);
    }
    if (flags.json) printJson(view);
    if (view.status === 'failed' || view.status === 'canceled') {
      process.exitCode = reportFailure(publicationFailure(label, view), { debug: Boolean(command.optsWithGlobals().debug), json: false });
    }
  });
}
