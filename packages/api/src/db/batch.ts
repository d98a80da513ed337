/**
 * Writes items in batches: while one batch is on its way to the database, new items gather
 * for the next. Each caller's promise settles when its own batch is committed, with what the
 * write said of its item, so nothing is answered before it is durable, and a burst of N
 * writes costs a few commits, not N.
 */
export class BatchWriter<T, R> {
  private pending: { item: T; done: (error: unknown, result?: R) => void }[] = [];
  private writing = false;

  /** @param write stores `items` and returns one result per item, in order. */
  constructor(
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly maxBatch = 500,
  ) {}

  add(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.pending.push({
        item,
        done: (error, result) => (error ? reject(error) : resolve(result!)),
      });
      if (!this.writing) void this.drain();
    });
  }

  private async drain() {
    this.writing = true;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      try {
        const results = await this.write(batch.map(({ item }) => item));
        for (const [i, { done }] of batch.entries()) done(undefined, results[i]);
      } catch (error) {
        for (const { done } of batch) done(error);
      }
    }
    this.writing = false;
  }
}
