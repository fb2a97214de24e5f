/** A plan's price in words and the interface's number format: free, BYOL, or per hour. */
import { useTranslation } from 'react-i18next';
import type { Pricing } from '../../../../contracts/index.ts';
import { useFormat } from '../../format.ts';

export function PlanPrice({ pricing }: { pricing: Pricing }) {
  const { t } = useTranslation('storefront');
  const format = useFormat();
  if (pricing.model === 'hourly' && typeof pricing.hourlyUsd === 'number') {
    return <span className="price">{t('pricing.hourly', { price: format.money(pricing.hourlyUsd) })}</span>;
  }
  if (pricing.model === 'byol') return <span className="price">{t('pricing.byol')}</span>;
  if (pricing.model === 'free') return <span className="price">{t('pricing.free')}</span>;
  return <span className="price">{t('pricing.unknown')}</span>;
}

/** A category id (`developer-tools`) in the interface language; unknown ids are shown as they are. */
export function useCategoryLabel(): (id: string) => string {
  const { t } = useTranslation('storefront');
  return (id) => t(`categories.${id}`, { defaultValue: id });
}
