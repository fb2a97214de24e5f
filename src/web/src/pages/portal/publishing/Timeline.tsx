/** The publishing steps, in the pipeline order the server answers them, with a clock that ticks while one runs. */
import { useTranslation } from 'react-i18next';
import type { OfferStatusDocument } from '../../../../../contracts/index.ts';
import { isActive } from './step-timing.ts';
import { StepRow } from './StepRow.tsx';
import { useNow } from './use-status.ts';

export function Timeline({ status }: { status: OfferStatusDocument }) {
  const { t } = useTranslation('publishing');
  const steps = status.steps;
  const now = useNow(steps.some(isActive));
  return (
    <section aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">{t('timeline.heading')}</h2>
      <ol className="timeline">
        {steps.map((step, index) => (
          <StepRow key={step.id} step={step} position={index + 1} now={now} />
        ))}
      </ol>
    </section>
  );
}
