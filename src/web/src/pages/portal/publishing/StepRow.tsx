/** One publishing step: name, status, progress, elapsed time against its maximum, messages. */
import { useTranslation } from 'react-i18next';
import type { Step } from '../../../../../contracts/index.ts';
import { useFormat } from '../../../format.ts';
import { Link } from '../../../router.tsx';
import { stepName } from '../../../step-names.ts';
import { elapsedSeconds, isActive, isOverdue, ranLate, stepTone } from './step-timing.ts';

function TicketLink({ ticketId }: { ticketId?: string | null }) {
  const { t } = useTranslation('publishing');
  return ticketId ? (
    <Link to={`/portal/tickets/${encodeURIComponent(ticketId)}`}>{t('step.ticket')}</Link>
  ) : (
    <Link to="/portal/tickets">{t('step.tickets')}</Link>
  );
}

export function StepRow({ step, position, now }: { step: Step; position: number; now: number }) {
  const { t, i18n } = useTranslation('publishing');
  const format = useFormat();
  const name = stepName(step, i18n.language);
  const headingId = `step-${step.id}`;
  const elapsed = elapsedSeconds(step, now);
  const overdue = isOverdue(step, now);
  const late = ranLate(step);
  const max = step.expectedMaxSeconds === null ? null : format.duration(step.expectedMaxSeconds);
  const limit = max === null ? t('step.noLimit') : t('step.max', { max });
  const percent = Math.max(0, Math.min(100, Math.round(step.progressPercentage)));

  let time: string;
  // under a second reads better in words than as "0 s"
  const spent = elapsed === null ? '' : elapsed < 1 ? t('step.underASecond') : format.duration(elapsed);
  if (elapsed === null) time = limit;
  else if (isActive(step)) time = t('step.running', { elapsed: spent, limit });
  else time = t('step.took', { elapsed: spent, limit });

  return (
    <li className={`step step-${step.status}${overdue ? ' step-overdue' : ''}`} aria-labelledby={headingId}>
      <div className="step-head">
        <span className="step-number" aria-hidden="true">
          {position}
        </span>
        <h3 id={headingId}>{name}</h3>
        <span className={`badge badge-${stepTone(step.status)}`}>{t(`common:stepStatus.${step.status}`)}</span>
      </div>
      <p className="step-description">{step.description}</p>
      <div className="step-meter">
        <progress max={100} value={percent} aria-label={t('step.progress', { step: name })} />
        <span className="step-percent">{format.percent(percent)}</span>
        <span className="step-time">{time}</span>
      </div>
      {overdue && (
        <p className="step-alert" role="note">
          <span className="step-alert-icon" aria-hidden="true">
            ⚠
          </span>{' '}
          <strong>{max === null ? t('step.overdueNoMax') : t('step.overdue', { max })}</strong> · <TicketLink ticketId={step.ticketId} />
        </p>
      )}
      {late && (
        <p className="step-late">
          {max === null ? t('step.lateNoMax') : t('step.late', { max })} · <TicketLink ticketId={step.ticketId} />
        </p>
      )}
      {step.messages.length > 0 && (
        <ul className="step-messages" aria-label={t('step.messages', { step: name })}>
          {step.messages.map((message, index) => (
            <li key={`${message.at}-${index}`} className={`message message-${message.level}`}>
              <span className={`badge badge-${message.level === 'error' ? 'err' : message.level === 'warning' ? 'warn' : 'muted'}`}>
                {t(`levels.${message.level}`)}
              </span>{' '}
              <time dateTime={message.at}>{format.dateTime(message.at)}</time>
              <span className="message-text">{message.text}</span>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
