/**
 * The test drives running on this marketplace (hot instances included), refreshed while the page
 * is visible; the operator stops one with a confirmed Stop, which destroys its VM.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { OperatorTestDrive } from '../../../../contracts/index.ts';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { ErrorMessage, Loading } from '../../components/ErrorMessage.tsx';
import { useApi } from '../../components/use-api.ts';
import { LIST_REFRESH_MS, useRefreshWhileVisible } from '../../components/use-refresh.ts';
import { useFormat } from '../../format.ts';

export function TestDrivesSection() {
  const { t } = useTranslation('operator');
  const format = useFormat();
  const drives = useApi((signal) => api.get<{ testDrives: OperatorTestDrive[] }>('/test-drives', { signal }), []);
  const [error, setError] = useState<unknown>();
  const { reload } = drives;
  useRefreshWhileVisible(reload, LIST_REFRESH_MS);

  const stop = async (drive: OperatorTestDrive) => {
    setError(undefined);
    try {
      await api.post(`/test-drives/${encodeURIComponent(drive.id)}/stop`);
    } catch (cause) {
      setError(cause);
    }
    reload();
  };

  const list = drives.data?.testDrives ?? [];
  return (
    <section aria-labelledby="operator-heading">
      <div className="section-head">
        <h1 id="operator-heading">{t('testDrives.heading')}</h1>
        <button type="button" onClick={reload}>
          {t('refresh')}
        </button>
      </div>
      <p className="muted">{t('testDrives.intro')}</p>
      {drives.loading && !drives.data && <Loading />}
      <ErrorMessage error={drives.error ?? error} onRetry={reload} />
      {drives.data && list.length === 0 && <p>{t('testDrives.empty')}</p>}
      {list.length > 0 && (
        <div className="table-wrap">
          <table className="stack-table">
            <caption className="visually-hidden">{t('testDrives.heading')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('columns.offer')}</th>
                <th scope="col">{t('testDrives.customer')}</th>
                <th scope="col">{t('testDrives.region')}</th>
                <th scope="col">{t('testDrives.status')}</th>
                <th scope="col">{t('testDrives.expires')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('testDrives.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((drive) => (
                <tr key={drive.id}>
                  <td data-label={t('columns.offer')} className="mono">
                    {drive.offer}
                  </td>
                  <td data-label={t('testDrives.customer')}>{drive.hot ? <span className="badge badge-muted">{t('testDrives.hot')}</span> : (drive.email ?? drive.subscriptionId)}</td>
                  <td data-label={t('testDrives.region')}>{drive.region}</td>
                  <td data-label={t('testDrives.status')}>{t(`testDrives.statuses.${drive.status}`)}</td>
                  <td data-label={t('testDrives.expires')}>{drive.expiresAt ? <time dateTime={drive.expiresAt}>{format.dateTime(drive.expiresAt)}</time> : '—'}</td>
                  <td>
                    <ConfirmButton
                      label={t('testDrives.stop')}
                      title={t('testDrives.stopTitle', { offer: drive.offer })}
                      question={t('testDrives.stopQuestion')}
                      confirmLabel={t('testDrives.stopConfirm')}
                      onConfirm={() => stop(drive)}
                      danger
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
