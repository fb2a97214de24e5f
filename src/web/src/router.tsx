/**
 * Client-side routes over the History API. The app has a dozen fixed routes, so a pattern
 * matcher and a link component are all it needs; the server answers every route with index.html.
 */
import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from 'react';

const NAVIGATE = 'vmarket:navigate';

const currentLocation = (): string => window.location.pathname + window.location.search;

/** What the app shows; Back/Forward away from it can be refused by the guard. */
let shown = currentLocation();
let leaveGuard: (() => boolean) | null = null;

/**
 * Asks `allowLeaving` before the browser's Back or Forward leaves the page (the editor with
 * unsaved changes); answers the function that removes the guard. History entries cannot be
 * cancelled, so a refused step is undone by putting the page's address back.
 */
export function guardLeaving(allowLeaving: () => boolean): () => void {
  leaveGuard = allowLeaving;
  return () => {
    if (leaveGuard === allowLeaving) leaveGuard = null;
  };
}

// registered before any page subscribes, so a refused step never reaches them
window.addEventListener('popstate', (event) => {
  const next = currentLocation();
  if (next !== shown && leaveGuard && !leaveGuard()) {
    event.stopImmediatePropagation();
    window.history.pushState(null, '', shown);
    return;
  }
  shown = next;
});

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE, onChange);
  };
}

/** The current path and query, e.g. `/portal/offers/x?tab=report`; re-renders on navigation. */
export function useLocation(): { pathname: string; search: URLSearchParams } {
  const location = useSyncExternalStore(subscribe, currentLocation);
  const url = new URL(location, window.location.origin);
  return { pathname: url.pathname, search: url.searchParams };
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === currentLocation()) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  shown = currentLocation();
  window.dispatchEvent(new Event(NAVIGATE));
  if (!options.replace) window.scrollTo(0, 0);
}

/**
 * `/offers/:key` against `/offers/contoso.ubuntu` gives `{ key: 'contoso.ubuntu' }`; null when
 * the path does not match. Parameters are decoded.
 */
export function matchRoute(pattern: string, pathname: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean);
  const have = pathname.split('/').filter(Boolean);
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) {
      try {
        params[want[i].slice(1)] = decodeURIComponent(have[i]);
      } catch {
        return null;
      }
    } else if (want[i] !== have[i]) return null;
  }
  return params;
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string };

/** An ordinary link (open in new tab, copy address work) that navigates in place on a plain click. */
export function Link({ to, onClick, ...rest }: LinkProps) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} {...rest} />;
}
