/**
 * signoff: the preview is visible to the preview audience; the operation waits for the
 * publisher's go-live (or cancel), with no time limit. No job waits: `goLive` completes this
 * step and enqueues `deploy` in the same transaction as the state change.
 */
import { message } from '../operations.ts';
import type { StepContext, StepModule, StepOutcome } from './context.ts';

export const id = 'signoff' as const;

export async function run(s: StepContext): Promise<StepOutcome> {
  const audience = s.offer.previewAudience?.length ?? 0;
  return {
    status: 'waitingForPublisherReview',
    messages: [
      message(
        'information',
        `The preview is ready for ${audience} preview subscription${audience === 1 ? '' : 's'}; check it and go live (vmarket golive ${s.operation.offer_id}) or cancel.`,
      ),
    ],
  };
}

export const signoffStep: StepModule = { id, run };
