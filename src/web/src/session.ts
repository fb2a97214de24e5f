/**
 * What the browser keeps for this tab: the bearer token, the publisher an operator acts for, and
 * the customer's preview subscription. Session storage only: it dies with the tab, is never put
 * in a URL, and is not shared with other sites.
 */
const TOKEN = 'vmarket.token';
const ACTING_PUBLISHER = 'vmarket.actingPublisher';
const PREVIEW_SUBSCRIPTION = 'vmarket.previewSubscription';

function read(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null; // storage disabled: behave as signed out
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null || value === '') sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, value);
  } catch {
    // storage disabled: the value lives only as long as the page
  }
}

export const session = {
  token: (): string | null => read(TOKEN),
  setToken: (token: string | null): void => write(TOKEN, token),
  actingPublisher: (): string | null => read(ACTING_PUBLISHER),
  setActingPublisher: (id: string | null): void => write(ACTING_PUBLISHER, id),
  previewSubscription: (): string | null => read(PREVIEW_SUBSCRIPTION),
  setPreviewSubscription: (id: string | null): void => write(PREVIEW_SUBSCRIPTION, id),
  clearCredentials: (): void => {
    write(TOKEN, null);
    write(ACTING_PUBLISHER, null);
  },
};
