/**
 * The signed package an acquisition answers (docs/contracts.md §7): each image's SHA-256 and the location
 * of its copy in every region, the signature, and the steps that let a customer check both
 * without trusting this page: the download holds `package` as RFC 8785 canonical JSON, the exact
 * bytes that were signed, so openssl verifies it as it is.
 */
import canonicalize from 'canonicalize';
import { type RefObject, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AcquiredPackage, PackageImage } from '../../../../contracts/index.ts';
import { useFormat } from '../../format.ts';
import { DownloadLinks } from './DownloadLinks.tsx';

/** A shell word in single quotes (a path or id that may hold spaces). */
function shellQuote(value: string): string {
  return /^[\w./:@=+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command that prints the SHA-256 of the copy at `uri`: s3://, or a file-system region's
 * `vmarket-fs://<region>/<key>` (the key inside the region's directory; the server's path is not
 * told to customers), or a file:// URI of packages signed before that.
 */
export function hashCommand(uri: string): string {
  try {
    const url = new URL(uri);
    if (url.protocol === 'file:') return `sha256sum ${shellQuote(decodeURIComponent(url.pathname))}`;
    if (url.protocol === 'vmarket-fs:') return `sha256sum ${shellQuote(decodeURIComponent(url.pathname.replace(/^\//, '')))}`;
  } catch {
    // not a URL: fall through to the generic form
  }
  if (uri.startsWith('s3://')) return `aws s3 cp ${shellQuote(uri)} - | sha256sum`;
  return `sha256sum <image>   # ${uri}`;
}

function CopyButton({ text, label }: { text: string; label: string }) {
  const { t } = useTranslation('storefront');
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed'); // no clipboard permission: the value stays selectable by hand
    }
  };
  return (
    <>
      <button type="button" className="copy-button" onClick={() => void copy()} aria-label={label}>
        {t('result.copy')}
      </button>
      <span className="copy-state" role="status">
        {state === 'copied' ? t('result.copied') : state === 'failed' ? t('result.copyFailed') : ''}
      </span>
    </>
  );
}

function Command({ children }: { children: string }) {
  return (
    <pre className="command">
      <code>{children}</code>
    </pre>
  );
}

function ImageDetails({ image }: { image: PackageImage }) {
  const { t } = useTranslation('storefront');
  const format = useFormat();
  const title = image.role === 'os' ? t('result.osDisk') : t('result.dataDisk', { lun: image.lun ?? 0 });
  const hashId = `sha-${image.role}-${image.lun ?? 'os'}`;
  return (
    <section className="package-image" aria-label={title}>
      <h4>{title}</h4>
      <dl className="facts">
        <div className="fact-wide">
          <dt>{t('result.size')}</dt>
          <dd>
            {format.bytes(image.size)} <span className="muted">({t('result.sizeBytes', { bytes: format.number(image.size) })})</span>
          </dd>
        </div>
        <div className="fact-wide">
          <dt id={hashId}>SHA-256</dt>
          <dd className="hash-line">
            <code className="sha256" aria-labelledby={hashId}>
              {image.sha256}
            </code>
            <CopyButton text={image.sha256} label={t('result.copySha', { title })} />
          </dd>
        </div>
      </dl>
      {image.virtualSha256 ? (
        <dl className="facts">
          <div className="fact-wide">
            <dt>{t('result.virtualSha')}</dt>
            <dd>
              <code className="hash virtual-sha256">{image.virtualSha256}</code>
            </dd>
          </div>
        </dl>
      ) : null}
      <h5>{t('result.locations')}</h5>
      <ul className="locations">
        {Object.entries(image.locations).map(([region, uri]) => (
          <li key={region}>
            <span className="region">{region}</span> <code className="location">{uri}</code>
          </li>
        ))}
      </ul>
      {image.copies ? <RegionCopies copies={image.copies} /> : null}
    </section>
  );
}

/** Per region the file it serves: its disk format (regions[].format), size and SHA-256. */
function RegionCopies({ copies }: { copies: NonNullable<PackageImage['copies']> }) {
  const { t } = useTranslation('storefront');
  const format = useFormat();
  return (
    <>
      <h5>{t('result.copies')}</h5>
      <ul className="locations region-copies">
        {Object.entries(copies).map(([region, copy]) => (
          <li key={region}>
            <span className="region">{region}</span> {t('result.copyFact', { format: copy.format, size: format.bytes(copy.size) })}{' '}
            <code className="hash copy-sha256">{copy.sha256}</code> <code className="location">{copy.location}</code>
          </li>
        ))}
      </ul>
    </>
  );
}

export function PackageResult({ result, headingRef }: { result: AcquiredPackage; headingRef: RefObject<HTMLHeadingElement | null> }) {
  const { t } = useTranslation('storefront');
  const pkg = result.package;
  const fileName = `${pkg.offer}-${pkg.plan}-${pkg.version}.package.json`.replace(/[^\w.-]/g, '_');
  // the bytes that were signed, so the file verifies as downloaded
  const canonical = useMemo(() => canonicalize(pkg) ?? '', [pkg]);
  const downloadUrl = useMemo(() => URL.createObjectURL(new Blob([canonical], { type: 'application/json' })), [canonical]);
  useEffect(() => () => URL.revokeObjectURL(downloadUrl), [downloadUrl]);
  const origin = window.location.origin;
  const section = useRef<HTMLElement>(null);

  return (
    <section className="package-result" ref={section} aria-labelledby="package-result-title">
      <h3 id="package-result-title" ref={headingRef} tabIndex={-1}>
        {t('result.title')}
      </h3>
      <p className="notice notice-ok">
        {t('result.summary', { offer: pkg.offer, plan: pkg.plan, version: pkg.version })}
        {result.slot === 'preview' ? ` ${t('result.previewSlot')}` : ''}
      </p>
      <dl className="facts">
        <div>
          <dt>{t('result.version')}</dt>
          <dd>{pkg.version}</dd>
        </div>
        <div>
          <dt>{t('result.images')}</dt>
          <dd>{pkg.images.length}</dd>
        </div>
      </dl>
      <p>
        <a className="button" href={downloadUrl} download={fileName}>
          {t('result.download')}
        </a>
      </p>

      <DownloadLinks acquisition={result.acquisition} downloads={result.downloads} offer={pkg.offer} plan={pkg.plan} />

      {pkg.images.map((image) => (
        <ImageDetails key={`${image.role}-${image.lun ?? ''}`} image={image} />
      ))}

      <details className="signature">
        <summary>{t('result.signature')}</summary>
        <dl className="facts">
          <div className="fact-wide">
            <dt>{t('result.keyId')}</dt>
            <dd>
              <code>{result.keyId}</code>
            </dd>
          </div>
          <div className="fact-wide">
            <dt>{t('result.signatureValue')}</dt>
            <dd>
              <code className="signature-value">{result.signature}</code>
            </dd>
          </div>
        </dl>
      </details>

      <section className="verify" aria-labelledby="verify-title">
        <h4 id="verify-title">{t('verify.title')}</h4>
        <p>{t('verify.intro')}</p>
        <ol>
          <li>
            <p>{t('verify.download', { file: fileName })}</p>
            <p className="hint">{t('verify.fromApi')}</p>
            <Command>{`jq .package answer.json | npx canonicalize > ${fileName}`}</Command>
          </li>
          <li>
            <p>{t('verify.key', { keyId: result.keyId })}</p>
            <Command>{`curl -s ${origin}/api/v1/catalog/keys | jq -r '.keys[] | select(.keyId == "${result.keyId}") | .publicKeyPem' > key.pem`}</Command>
          </li>
          <li>
            <p>{t('verify.signatureFile')}</p>
            <Command>{`echo '${result.signature}' | base64 -d > sig.bin`}</Command>
          </li>
          <li>
            <p>{t('verify.verify')}</p>
            <Command>{`openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in ${fileName} -sigfile sig.bin`}</Command>
            <p className="hint">{t('verify.verifyExpect')}</p>
          </li>
          <li>
            <p>{t('verify.hash')}</p>
            {pkg.images.map((image) => {
              const first = Object.values(image.locations)[0];
              return first ? <Command key={`${image.role}-${image.lun ?? ''}`}>{hashCommand(first)}</Command> : null;
            })}
            <p className="hint">{t('verify.hashExpect')}</p>
          </li>
        </ol>
      </section>
    </section>
  );
}
