/**
 * A small least-recently-used map with a weight budget, used to keep inodes, group descriptor
 * blocks, inode-table spans and directory listings without unbounded memory.
 */
export class LruCache<K, V> {
  readonly #map = new Map<K, { value: V; weight: number }>();
  readonly #maxWeight: number;
  #weight = 0;

  constructor(maxWeight: number) {
    this.#maxWeight = maxWeight;
  }

  get(key: K): V | undefined {
    const hit = this.#map.get(key);
    if (hit === undefined) return undefined;
    // Re-insert so Map iteration order tracks recency.
    this.#map.delete(key);
    this.#map.set(key, hit);
    return hit.value;
  }

  set(key: K, value: V, weight = 1): void {
    if (weight > this.#maxWeight) return;
    const old = this.#map.get(key);
    if (old !== undefined) {
      this.#weight -= old.weight;
      this.#map.delete(key);
    }
    this.#map.set(key, { value, weight });
    this.#weight += weight;
    while (this.#weight > this.#maxWeight) {
      const oldest = this.#map.keys().next();
      if (oldest.done) break;
      const entry = this.#map.get(oldest.value)!;
      this.#map.delete(oldest.value);
      this.#weight -= entry.weight;
    }
  }
}
