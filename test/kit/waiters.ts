// Tests wait for data that arrives asynchronously over the wire. Waiting is event-driven (no polling sleeps), and a
// timeout reports what did arrive, because "timed out" alone never explains a failing end-to-end test.

export type Match<T> = number | ((item: T) => boolean);

export class Collection<T> {
  readonly items: T[] = [];
  private readonly listeners = new Set<() => void>();

  push(...items: T[]): void {
    this.items.push(...items);
    for (const listener of this.listeners) listener();
  }

  /** Re-runs pending waits after an item already stored changed (e.g. a request got its response status). */
  notify(): void {
    for (const listener of this.listeners) listener();
  }

  clear(): void {
    this.items.length = 0;
  }

  /**
   * Resolves with the matching items once `match` holds: a number waits for at least that many items and resolves
   * with all of them; a predicate waits for at least `minCount` (default 1) matching items and resolves with the
   * matching ones.
   */
  waitFor(match: Match<T>, timeoutMs: number, minCount = 1, describe?: (items: readonly T[]) => string): Promise<T[]> {
    const check = (): T[] | undefined => {
      if (typeof match === 'number') return this.items.length >= match ? [...this.items] : undefined;
      const matching = this.items.filter(match);
      return matching.length >= minCount ? matching : undefined;
    };
    const immediate = check();
    if (immediate) return Promise.resolve(immediate);
    return new Promise<T[]>((resolve, reject) => {
      const listener = (): void => {
        const result = check();
        if (!result) return;
        this.listeners.delete(listener);
        clearTimeout(timer);
        resolve(result);
      };
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        const wanted = typeof match === 'number' ? `${match} item(s)` : `${minCount} matching item(s)`;
        const seen = describe ? describe(this.items) : `${this.items.length} item(s)`;
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${wanted}; received ${seen}`));
      }, timeoutMs);
      this.listeners.add(listener);
    });
  }
}
