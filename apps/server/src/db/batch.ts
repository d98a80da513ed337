/**
 * Writes items in batches: while one batch is on its way to the database, new items gather
 * for the next. Each caller's promise settles when its own batch is committed, so nothing
 * is answered before it is durable, and a burst of N writes costs a few commits, not N.
 */
export class BatchWriter<T> {
  private pending: { item: T; done: (error?: unknown) => void }[] = [];
  private writing = false;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly maxBatch = 500,
  ) {}

  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, done: (error) => (error ? reject(error) : resolve()) });
      if (!this.writing) void this.drain();
    });
  }

  private async drain() {
    this.writing = true;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      try {
        await this.write(batch.map(({ item }) => item));
        for (const { done } of batch) done();
      } catch (error) {
        for (const { done } of batch) done(error);
      }
    }
    this.writing = false;
  }
}
