/**
 * The offer's downloads on its publishing page (`GET /publishers/{pub}/offers/{offer}/downloads`,
 * docs/contracts.md §5 "Downloads"): totals, and per plan, region and customer how many downloads
 * started and how many bytes went out. Shown once anyone acquired the offer.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DownloadCounts as Counts } from '../../../../../contracts/index.ts';
import { api, offerPath } from '../../../api/client.ts';
import { useFormat } from '../../../format.ts';

export function DownloadCounts({ publisherId, offerId, reloadKey }: { publisherId: string; offerId: string; reloadKey: string }) {
  const { t } = useTranslation('publishing');
  const format = useFormat();
  const [counts, setCounts] = useState<Counts | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    api
      .get<Counts>(`${offerPath(publisherId, offerId)}/downloads`, { signal: controller.signal })
      .then(setCounts)
      // the section is an extra: without the counts the page still works
      .catch(() => setCounts(null));
    return () => controller.abort();
  }, [publisherId, offerId, reloadKey]);

  if (!counts || counts.totals.acquisitions === 0) return null;
  return (
    <section aria-labelledby="downloads-heading" className="download-counts">
      <h2 id="downloads-heading">{t('downloads.heading')}</h2>
      <p>
        {t('downloads.totals', {
          acquisitions: format.number(counts.totals.acquisitions),
          downloads: format.number(counts.totals.downloads),
          bytes: format.bytes(counts.totals.bytes),
        })}
      </p>
      {counts.counts.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>{t('downloads.plan')}</th>
              <th>{t('downloads.region')}</th>
              <th>{t('downloads.customer')}</th>
              <th>{t('downloads.downloads')}</th>
              <th>{t('downloads.bytes')}</th>
              <th>{t('downloads.last')}</th>
            </tr>
          </thead>
          <tbody>
            {counts.counts.map((c) => (
              <tr key={`${c.plan} ${c.region} ${c.subscriptionId}`}>
                <td>{c.plan}</td>
                <td>{c.region}</td>
                <td>
                  <code>{c.subscriptionId}</code>
                </td>
                <td>{format.number(c.downloads)}</td>
                <td>{format.bytes(c.bytes)}</td>
                <td>{format.dateTime(c.lastAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="hint">{t('downloads.hint')}</p>
    </section>
  );
}
