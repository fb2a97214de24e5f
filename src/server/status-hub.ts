/**
 * One poller per offer for the live status streams: however many browsers watch an offer, its
 * status document is read once per interval, and each subscriber is handed every document that
 * differs from the last one it was given. The poller starts with the first subscriber and stops
 * when the last one leaves (or the hub closes), so an idle server reads nothing.
 *
 * Polling, not database notifications: PGlite (the embedded default) has no LISTEN across
 * processes, and a worker in another process changes the steps; a read every half second per
 * watched offer is cheap and works the same on both databases.
 */
import type { FastifyBaseLogger } from 'fastify';

/** How often a watched offer's status document is read by default. */
export const STATUS_POLL_INTERVAL_MS = 500;

/** Called with the serialized document; the hub never calls it twice with the same text in a row. */
export type StatusListener = (json: string) => void;

/** Reads the current document of one offer, serialized (JSON). */
export type StatusLoader = (publisherId: string, offerId: string) => Promise<string>;

export interface StatusHubOptions {
  /** Milliseconds between two reads of a watched offer (default STATUS_POLL_INTERVAL_MS). */
  intervalMs?: number;
  logger?: FastifyBaseLogger;
}

interface Subscriber {
  listener: StatusListener;
  /** The last document this subscriber was given. */
  last: string | undefined;
}

interface Poller {
  subscribers: Set<Subscriber>;
  timer: NodeJS.Timeout | undefined;
}

export class StatusHub {
  readonly #load: StatusLoader;
  readonly #intervalMs: number;
  readonly #logger: FastifyBaseLogger | undefined;
  readonly #pollers = new Map<string, Poller>();
  #closed = false;

  constructor(load: StatusLoader, options: StatusHubOptions = {}) {
    this.#load = load;
    this.#intervalMs = options.intervalMs ?? STATUS_POLL_INTERVAL_MS;
    this.#logger = options.logger;
  }

  /**
   * Watches the offer. `initial` is the document the caller already sent (so it is not sent
   * again); answers the function that stops watching (safe to call more than once).
   */
  subscribe(publisherId: string, offerId: string, listener: StatusListener, initial?: string): () => void {
    if (this.#closed) return () => {};
    const key = JSON.stringify([publisherId, offerId]);
    let poller = this.#pollers.get(key);
    if (!poller) {
      poller = { subscribers: new Set(), timer: undefined };
      this.#pollers.set(key, poller);
      this.#schedule(key, poller, publisherId, offerId);
    }
    const subscriber: Subscriber = { listener, last: initial };
    poller.subscribers.add(subscriber);
    const owner = poller;
    return () => {
      owner.subscribers.delete(subscriber);
      if (owner.subscribers.size === 0 && this.#pollers.get(key) === owner) this.#stop(key, owner);
    };
  }

  /** Offers being watched right now (for tests and metrics). */
  get watchedOffers(): number {
    return this.#pollers.size;
  }

  /** Stops every poller; later subscriptions are ignored. */
  close(): void {
    this.#closed = true;
    for (const [key, poller] of this.#pollers) this.#stop(key, poller);
  }

  #stop(key: string, poller: Poller): void {
    clearTimeout(poller.timer);
    poller.timer = undefined;
    poller.subscribers.clear();
    this.#pollers.delete(key);
  }

  // A timeout chain rather than setInterval: a slow read never overlaps the next one.
  #schedule(key: string, poller: Poller, publisherId: string, offerId: string): void {
    poller.timer = setTimeout(() => void this.#poll(key, poller, publisherId, offerId), this.#intervalMs);
    // a forgotten poller must not keep the process alive; close() clears them anyway
    poller.timer.unref();
  }

  async #poll(key: string, poller: Poller, publisherId: string, offerId: string): Promise<void> {
    if (this.#pollers.get(key) !== poller) return;
    try {
      const json = await this.#load(publisherId, offerId);
      for (const subscriber of poller.subscribers) {
        if (subscriber.last === json) continue;
        subscriber.last = json;
        try {
          subscriber.listener(json);
        } catch (error) {
          this.#logger?.warn({ err: error, publisherId, offerId }, 'status stream: a subscriber failed');
        }
      }
    } catch (error) {
      // e.g. the offer was deleted or the database is briefly unavailable: keep the streams open
      // with their last document and try again at the next interval
      this.#logger?.warn({ err: error, publisherId, offerId }, 'status stream: reading the status failed');
    }
    if (this.#pollers.get(key) === poller) this.#schedule(key, poller, publisherId, offerId);
  }
}
