/**
 * Asks again every `intervalMs` while the tab is visible, and at once when it becomes visible
 * again: overview lists (the operator's operations and review queue) stay current without a
 * stream per row, and a tab in the background costs the server nothing.
 */
import { useEffect } from 'react';

/** How often an overview list asks again: one small query, near-live for a person watching. */
export const LIST_REFRESH_MS = 3_000;

export function useRefreshWhileVisible(reload: () => void, intervalMs: number): void {
  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | undefined;
    const start = () => {
      if (timer === undefined) timer = setInterval(reload, intervalMs);
    };
    const stop = () => {
      clearInterval(timer);
      timer = undefined;
    };
    const onVisibility = () => {
      if (document.visibilityState === 'visible') {
        reload();
        start();
      } else stop();
    };
    if (document.visibilityState === 'visible') start();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      stop();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [reload, intervalMs]);
}
