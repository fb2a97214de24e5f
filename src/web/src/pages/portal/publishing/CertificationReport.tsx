/**
 * The last certification report of the offer (docs/contracts.md §6): result, images, then the checks
 * with what needs fixing first — failed and warning checks open with their evidence and
 * remediation, passed and skipped ones folded away.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, getBlob, offerPath } from '../../../api/client.ts';
import type { CheckResult, CertificationReport as Report, StepStatus } from '../../../../../contracts/index.ts';
import { ErrorMessage, Loading } from '../../../components/ErrorMessage.tsx';
import { useApi } from '../../../components/use-api.ts';
import { useFormat } from '../../../format.ts';
import { sortChecks } from './check-order.ts';

const CHECK_TONE: Record<CheckResult['status'], string> = { failed: 'err', warning: 'warn', passed: 'ok', skipped: 'muted' };

function CheckDetails({ check }: { check: CheckResult }) {
  const { t } = useTranslation('publishing');
  return (
    <article className={`check check-${check.status}`} aria-labelledby={`check-${check.id}`}>
      <h4 id={`check-${check.id}`}>
        <span className={`badge badge-${CHECK_TONE[check.status]}`}>{t(`certification.status.${check.status}`)}</span> {check.title}{' '}
        <code className="check-id">{check.id}</code>
      </h4>
      {check.message && <p>{check.message}</p>}
      {check.evidence && check.evidence.length > 0 && (
        <>
          <h5>{t('certification.evidence')}</h5>
          <ul className="evidence">
            {check.evidence.map((item, index) => (
              <li key={index}>
                <dl>
                  {item.image && (
                    <div>
                      <dt>{t('certification.evidenceImage')}</dt>
                      <dd>{item.image}</dd>
                    </div>
                  )}
                  {item.path && (
                    <div>
                      <dt>{t('certification.evidencePath')}</dt>
                      <dd>
                        <code>{item.path}</code>
                      </dd>
                    </div>
                  )}
                  {item.line != null && (
                    <div>
                      <dt>{t('certification.evidenceLine')}</dt>
                      <dd>{item.line}</dd>
                    </div>
                  )}
                  {item.detail && (
                    <div>
                      <dt>{t('certification.evidenceDetail')}</dt>
                      <dd>{item.detail}</dd>
                    </div>
                  )}
                </dl>
              </li>
            ))}
          </ul>
        </>
      )}
      {check.remediation && (
        <>
          <h5>{t('certification.remediation')}</h5>
          <p className="remediation">{check.remediation}</p>
        </>
      )}
    </article>
  );
}

function FoldedChecks({ checks, status }: { checks: CheckResult[]; status: 'passed' | 'skipped' }) {
  const { t } = useTranslation('publishing');
  if (checks.length === 0) return null;
  return (
    <details className="check-group">
      <summary>{t(`certification.${status}Group`, { count: checks.length })}</summary>
      <ul className="check-list">
        {checks.map((check) => (
          <li key={check.id}>
            <span className="check-title">{check.title}</span> <code className="check-id">{check.id}</code>
            {check.message && <span className="check-message">{check.message}</span>}
          </li>
        ))}
      </ul>
    </details>
  );
}

/** The manual review (operator configuration): waiting, approved, or rejected with feedback. */
function ReviewNotice({ review, certifyStatus }: { review: Report['review']; certifyStatus: StepStatus | undefined }) {
  const { t } = useTranslation('publishing');
  const format = useFormat();
  const state = review?.status ?? (certifyStatus === 'waitingForApproval' ? 'pending' : null);
  if (state !== 'pending' && state !== 'approved' && state !== 'rejected') return null;
  const tone = state === 'rejected' ? 'notice-error' : state === 'approved' ? 'notice-ok' : 'notice-warn';
  return (
    <div className={`notice ${tone}`}>
      <p>
        <strong>{t(`certification.review.${state}`)}</strong>
        {state !== 'pending' && review?.reviewedAt && <> · {format.dateTime(review.reviewedAt)}</>}
      </p>
      {review?.feedback && <p className="review-feedback">{review.feedback}</p>}
    </div>
  );
}

/** How the image booted (docs/contracts.md §6 "Boot validation") and its console log to download. */
function BootSummary({ report }: { report: Report }) {
  const { t } = useTranslation('publishing');
  const format = useFormat();
  const [failed, setFailed] = useState<string | null>(null);
  const boot = report.boot;
  if (!boot && !report.bootConsole) return null;
  const download = async () => {
    setFailed(null);
    try {
      const text = await api.get<string>(report.bootConsole!.replace(/^\/api\/v1/, ''), { headers: { accept: 'text/plain' } });
      const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = 'console.log';
      link.click();
      // revoked later: revoking at once may cancel the download before the browser read the blob
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (error) {
      setFailed((error as Error).message);
    }
  };
  const seconds = (s: number | undefined) => (s === undefined ? '—' : format.number(s, { style: 'unit', unit: 'second', unitDisplay: 'short', maximumFractionDigits: 1 }));
  return (
    <>
      <h3>{t('certification.boot.heading')}</h3>
      {boot && (
        <dl className="report-stats boot-summary">
          <div>
            <dt>{t('certification.boot.how')}</dt>
            <dd>
              {t(boot.accelerator === 'kvm' ? 'certification.boot.kvm' : 'certification.boot.tcg')}, {boot.firmware === 'uefi' ? 'UEFI' : 'BIOS'}, {boot.architecture}, {format.bytes(boot.memoryMiB * 1024 * 1024)}
            </dd>
          </div>
          <div>
            <dt>{t('certification.boot.userSpace')}</dt>
            <dd>{seconds(boot.milestones.userSpace)}</dd>
          </div>
          <div>
            <dt>{t('certification.boot.provisioned')}</dt>
            <dd>{seconds(boot.milestones.provisioned)}</dd>
          </div>
          <div>
            <dt>{t('certification.boot.ssh')}</dt>
            <dd>{seconds(boot.milestones.ssh)}</dd>
          </div>
        </dl>
      )}
      {report.bootConsole && (
        <p>
          <button type="button" className="button" onClick={() => void download()}>
            {t('certification.boot.download')}
          </button>
          {failed && <span className="notice notice-error"> {failed}</span>}
        </p>
      )}
    </>
  );
}

/** Saves a blob under `name` (the URL is revoked later: at once may cancel the download before the browser read it). */
function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The SBOM of the OS disk's packages (docs/contracts.md §6 "SBOM") to download, and the vulnerability database's age. */
function SbomSummary({ report }: { report: Report }) {
  const { t } = useTranslation('publishing');
  const format = useFormat();
  const [failed, setFailed] = useState<string | null>(null);
  const { sbom, vulnerabilityDatabase: database } = report;
  if (!sbom && !database) return null;
  const download = async () => {
    setFailed(null);
    try {
      saveBlob(await getBlob(report.sbomDocument!.replace(/^\/api\/v1/, ''), 'application/vnd.cyclonedx+json'), 'sbom.cdx.json');
    } catch (error) {
      setFailed((error as Error).message);
    }
  };
  return (
    <>
      <h3>{t('certification.sbom.heading')}</h3>
      <dl className="report-stats sbom-summary">
        {sbom && (
          <div>
            <dt>{t('certification.sbom.components')}</dt>
            <dd>
              {format.number(sbom.components)} ({sbom.format})
            </dd>
          </div>
        )}
        {sbom && (
          <div>
            <dt>{t('certification.sbom.sha256')}</dt>
            <dd>
              <code className="sha">{sbom.sha256}</code>
            </dd>
          </div>
        )}
        {database && (
          <div>
            <dt>{t('certification.sbom.database')}</dt>
            <dd>{t('certification.sbom.databaseAge', { ecosystems: database.ecosystems.join(', '), date: format.dateTime(database.syncedAt), count: database.ageDays })}</dd>
          </div>
        )}
      </dl>
      {sbom && report.sbomDocument && (
        <p>
          <button type="button" className="button" onClick={() => void download()}>
            {t('certification.sbom.download')}
          </button>
          {failed && <span className="notice notice-error"> {failed}</span>}
        </p>
      )}
    </>
  );
}

function ReportBody({ report, certifyStatus }: { report: Report; certifyStatus: StepStatus | undefined }) {
  const { t } = useTranslation('publishing');
  const format = useFormat();
  const checks = sortChecks(report.checks);
  const open = checks.filter((c) => c.status === 'failed' || c.status === 'warning');
  const failed = checks.filter((c) => c.status === 'failed').length;
  const stats = report.stats ?? {};
  const durationMs = stats.durationMs;
  return (
    <>
      <p className="report-result">
        <span className={`badge badge-${report.result === 'passed' ? 'ok' : 'err'}`}>{t(`certification.result.${report.result}`)}</span>{' '}
        {failed > 0 ? t('certification.failedCount', { count: failed }) : t('certification.allPassed')}
      </p>

      <ReviewNotice review={report.review} certifyStatus={certifyStatus} />

      <h3>{t('certification.images')}</h3>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('certification.image.role')}</th>
              <th scope="col">{t('certification.image.format')}</th>
              <th scope="col">{t('certification.image.virtualSize')}</th>
              <th scope="col">{t('certification.image.sha256')}</th>
            </tr>
          </thead>
          <tbody>
            {report.images.map((image, index) => (
              <tr key={index}>
                <td>{image.role === 'os' ? t('certification.image.os') : t('certification.image.data', { lun: image.lun ?? '—' })}</td>
                <td>{image.format}</td>
                <td>{format.bytes(image.virtualSize)}</td>
                <td>
                  <code className="sha">{image.sha256}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h3>{t('certification.checks')}</h3>
      {open.length > 0 && (
        <div className="checks-open">
          {open.map((check) => (
            <CheckDetails key={check.id} check={check} />
          ))}
        </div>
      )}
      <FoldedChecks checks={checks.filter((c) => c.status === 'passed')} status="passed" />
      <FoldedChecks checks={checks.filter((c) => c.status === 'skipped')} status="skipped" />

      <BootSummary report={report} />
      <SbomSummary report={report} />

      <h3>{t('certification.stats')}</h3>
      <dl className="report-stats">
        {stats.files != null && (
          <div>
            <dt>{t('certification.files')}</dt>
            <dd>{format.number(stats.files)}</dd>
          </div>
        )}
        {stats.bytesRead != null && (
          <div>
            <dt>{t('certification.bytesRead')}</dt>
            <dd>{format.bytes(stats.bytesRead)}</dd>
          </div>
        )}
        {durationMs != null && (
          <div>
            <dt>{t('certification.duration')}</dt>
            <dd>
              {durationMs < 60_000
                ? format.number(durationMs / 1000, { style: 'unit', unit: 'second', unitDisplay: 'short', maximumFractionDigits: 1 })
                : format.duration(durationMs / 1000)}
            </dd>
          </div>
        )}
      </dl>
    </>
  );
}

/**
 * `reloadKey` changes whenever the certification step changes status (a new report may exist).
 */
export function CertificationReport({
  publisherId,
  offerId,
  reloadKey,
  certifyStatus,
}: {
  publisherId: string;
  offerId: string;
  reloadKey: string;
  certifyStatus: StepStatus | undefined;
}) {
  const { t } = useTranslation('publishing');
  const report = useApi<Report | null>(
    (signal) =>
      api.get<Report | null>(`${offerPath(publisherId, offerId)}/certification`, { signal }).catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 404) return null; // not certified yet
        throw error;
      }),
    [publisherId, offerId, reloadKey],
  );
  return (
    <section aria-labelledby="certification-heading" className="certification">
      <h2 id="certification-heading">{t('certification.heading')}</h2>
      {report.error ? (
        <ErrorMessage error={report.error} onRetry={report.reload} />
      ) : report.data === undefined ? (
        <Loading />
      ) : report.data === null ? (
        <p className="muted">{t('certification.none')}</p>
      ) : (
        <ReportBody report={report.data} certifyStatus={certifyStatus} />
      )}
    </section>
  );
}
