/** An offer's publishing status as a coloured, localized badge (offers list and editor). */
import { useTranslation } from 'react-i18next';
import type { OfferStatus } from '../../../../../contracts/index.ts';

const COLOUR: Record<OfferStatus, string> = {
  neverPublished: 'badge-muted',
  notStarted: 'badge-muted',
  running: 'badge-running',
  waitingForPublisherReview: 'badge-warn',
  succeeded: 'badge-ok',
  failed: 'badge-err',
  canceled: 'badge-muted',
};

export function StatusBadge({ status }: { status: OfferStatus }) {
  const { t } = useTranslation();
  return <span className={`badge ${COLOUR[status] ?? 'badge-muted'}`}>{t(`common:offerStatus.${status}`, { defaultValue: status })}</span>;
}
