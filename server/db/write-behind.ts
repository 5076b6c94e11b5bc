// Writes on one connection, one statement at a time, without the caller waiting for each: while the database runs
// one write the caller prepares the next (the index job scores the next slice of agencies while the last is stored).
// A connection runs one statement at a time, and the driver will stop queueing a second one, so `add` waits for the
// write before it and then starts its own. A failure is thrown by the next `add` or by `done`, never left unhandled.

export class WriteBehind {
  private last: Promise<void> = Promise.resolve();

  /**
   * Waits for the write in flight (throwing its failure), then starts this one and returns as soon as it has gone
   * out: one turn of the event loop, so the driver sends the statement before the caller goes back to work that
   * holds the thread (otherwise it would leave only when the caller next waits, and nothing would overlap).
   */
  async add(write: () => Promise<void>): Promise<void> {
    await this.last;
    const next = write();
    // Awaited by the next add or by done; until then a failure must not count as unhandled.
    next.catch(() => undefined);
    this.last = next;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Waits for the last write; throws its failure. */
  done(): Promise<void> {
    return this.last;
  }
}
