// A Map for tables that almost always hold one entry (a connection's topics: one view per socket
// is the rule). The first entry lives in two fields; a real Map is made only for a second one. An
// empty `Map` costs ~0.2 KiB of heap (its hash table has room for four entries), the two fields 16
// bytes, and there is one such table per socket.

/** The inline key of an empty table: no caller's key is this object. */
const NONE: unique symbol = Symbol('none');

export class SmallMap<K, V> {
  #key: K | typeof NONE = NONE;
  #value: V | undefined = undefined;
  #map: Map<K, V> | null = null;

  get size(): number {
    return this.#map !== null ? this.#map.size : this.#key !== NONE ? 1 : 0;
  }

  get(key: K): V | undefined {
    if (this.#map !== null) return this.#map.get(key);
    return this.#key !== NONE && Object.is(this.#key, key) ? this.#value : undefined;
  }

  has(key: K): boolean {
    if (this.#map !== null) return this.#map.has(key);
    return this.#key !== NONE && Object.is(this.#key, key);
  }

  set(key: K, value: V): this {
    if (this.#map !== null) {
      this.#map.set(key, value);
    } else if (this.#key === NONE || Object.is(this.#key, key)) {
      this.#key = key;
      this.#value = value;
    } else {
      // A second key: from now on a Map holds them all (in insertion order, as a Map would).
      this.#map = new Map([[this.#key, this.#value as V]]);
      this.#map.set(key, value);
      this.#forgetInline();
    }
    return this;
  }

  delete(key: K): boolean {
    if (this.#map !== null) return this.#map.delete(key);
    if (this.#key === NONE || !Object.is(this.#key, key)) return false;
    this.#forgetInline();
    return true;
  }

  clear(): void {
    this.#map = null;
    this.#forgetInline();
  }

  values(): IterableIterator<V> {
    if (this.#map !== null) return this.#map.values();
    return (this.#key !== NONE ? [this.#value as V] : []).values();
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    if (this.#map !== null) return this.#map.entries();
    return (this.#key !== NONE ? [[this.#key, this.#value as V] as [K, V]] : []).values();
  }

  #forgetInline(): void {
    this.#key = NONE;
    this.#value = undefined;
  }
}
