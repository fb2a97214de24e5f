/**
 * The download links of an acquisition (docs/contracts.md §5 "Downloads"): per image and region
 * the file with its format, size and the links' expiry, "get fresh links" (the acquisition read
 * back with its token, which stays in this page's memory only), and the `vmarket pull` command
 * that downloads, resumes and verifies on the customer's side, and the acquisition's own
 * simplestreams mirror for sstream-mirror or glance-simplestreams-sync.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AcquisitionView, DownloadLink } from '../../../../contracts/index.ts';
import { api, ApiError } from '../../api/client.ts';
import { useFormat } from '../../format.ts';

export interface DownloadLinksProps {
  acquisition: { id: string; token: string; expiresAt: string; mirrorUrl?: string };
  downloads: DownloadLink[];
  offer: string;
  plan: string;
}

export function DownloadLinks({ acquisition, downloads: first, offer, plan }: DownloadLinksProps) {
  const { t } = useTranslation('storefront');
  const format = useFormat();
  const [downloads, setDownloads] = useState(first);
  const [expiresAt, setExpiresAt] = useState(acquisition.expiresAt);
  const [mirrorUrl, setMirrorUrl] = useState(acquisition.mirrorUrl);
  const [state, setState] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });

  const refresh = async () => {
    setState({ busy: true, error: null });
    try {
      const answer = await api.get<AcquisitionView>(`/catalog/acquisitions/${encodeURIComponent(acquisition.id)}`, {
        auth: false,
        headers: { 'x-acquisition-token': acquisition.token },
      });
      setDownloads(answer.downloads);
      setExpiresAt(answer.acquisition.expiresAt);
      setMirrorUrl(answer.acquisition.mirrorUrl);
      setState({ busy: false, error: null });
    } catch (error) {
      setState({ busy: false, error: error instanceof ApiError ? error.message : String(error) });
    }
  };

  if (downloads.length === 0) return null;
  const region = downloads[0]!.region;
  return (
    <section className="download-links" aria-labelledby="download-links-title">
      <h4 id="download-links-title">{t('downloads.title')}</h4>
      <p className="muted">{t('downloads.expires', { at: format.dateTime(expiresAt) })}</p>
      <ul className="download-list">
        {downloads.map((d) => (
          <li key={`${d.role}-${d.lun ?? ''}-${d.region}`}>
            <a className="download-link" href={d.url} download>
              {d.role === 'os' ? t('result.osDisk') : t('result.dataDisk', { lun: d.lun ?? 0 })}, {d.region}
            </a>{' '}
            <span className="muted">{t('downloads.fact', { format: d.format, size: format.bytes(d.size) })}</span>
          </li>
        ))}
      </ul>
      <p>
        <button type="button" onClick={() => void refresh()} disabled={state.busy}>
          {t('downloads.refresh')}
        </button>{' '}
        <span role="status">{state.error ?? ''}</span>
      </p>
      <p className="hint">{t('downloads.pull')}</p>
      <pre className="command">
        <code>{`vmarket pull ${offer} --plan ${plan} --region ${region} --url ${window.location.origin} --subscription SUBSCRIPTION --name NAME --email EMAIL`}</code>
      </pre>
      {mirrorUrl ? (
        <>
          <p className="hint">{t('downloads.mirror')}</p>
          <pre className="command">
            <code className="mirror-url">{`sstream-mirror --keyring=$PWD/vmarket-streams.gpg ${mirrorUrl} ./mirror`}</code>
          </pre>
        </>
      ) : null}
    </section>
  );
}
