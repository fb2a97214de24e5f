/** The offer's status document kept current by the live stream (or polling), for the page. */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, offerPath } from '../../../api/client.ts';
import { type StatusConnection, subscribeToStatus } from '../../../api/status-stream.ts';
import type { OfferStatusDocument } from '../../../../../contracts/index.ts';

export interface LiveStatus {
  status: OfferStatusDocument | undefined;
  connection: StatusConnection;
  /** Reads the status once now (after an action, not to wait for the next event). */
  refresh(): Promise<void>;
}

export function useLiveStatus(publisherId: string, offerId: string): LiveStatus {
  const [status, setStatus] = useState<OfferStatusDocument | undefined>(undefined);
  const [connection, setConnection] = useState<StatusConnection>({ mode: 'connecting', error: null });
  // the server writes its messages in the language asked for: a new language, a new stream
  const { i18n } = useTranslation();

  useEffect(() => {
    return subscribeToStatus(publisherId, offerId, setStatus, setConnection);
  }, [publisherId, offerId, i18n.language]);
  useEffect(() => setStatus(undefined), [publisherId, offerId]);

  const refresh = useCallback(async () => {
    try {
      setStatus(await api.get<OfferStatusDocument>(`${offerPath(publisherId, offerId)}/status`));
    } catch {
      // the subscription reports failures; this was only a shortcut
    }
  }, [publisherId, offerId]);

  return { status, connection, refresh };
}

/** Date.now(), renewed every second while `ticking` (elapsed times of running steps). */
export function useNow(ticking: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [ticking]);
  return now;
}
