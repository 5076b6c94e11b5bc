import { expect } from 'chai';
import { WriteBehind } from '../../../server/db/write-behind.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('WriteBehind: one write in flight while the caller prepares the next', () => {
  it('when writes are added, then each starts only after the one before has finished, in order, and add returns before its write ends', async () => {
    const events: string[] = [];
    let running = 0;
    const write = (name: string) => async (): Promise<void> => {
      running += 1;
      expect(running, 'two writes at once').to.equal(1);
      events.push(`start ${name}`);
      await tick();
      await tick();
      events.push(`end ${name}`);
      running -= 1;
    };
    const writes = new WriteBehind();
    await writes.add(write('a'));
    events.push('prepared b');
    await writes.add(write('b'));
    events.push('prepared c');
    await writes.add(write('c'));
    await writes.done();
    expect(events).to.deep.equal(['start a', 'prepared b', 'end a', 'start b', 'prepared c', 'end b', 'start c', 'end c']);
  });

  it('when a write fails, then the next add throws its error without starting another write', async () => {
    const writes = new WriteBehind();
    let started = 0;
    await writes.add(async () => {
      started += 1;
      await tick();
      throw new Error('injected failure');
    });
    let error: unknown;
    await writes
      .add(async () => {
        started += 1;
      })
      .catch((e: unknown) => (error = e));
    expect(String(error)).to.contain('injected failure');
    expect(started).to.equal(1);
  });

  it('when the last write fails, then done throws it, and a failure waiting for done is not reported as unhandled', async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', listener);
    try {
      const writes = new WriteBehind();
      await writes.add(() => Promise.reject(new Error('last one failed')));
      await tick();
      await tick();
      let error: unknown;
      await writes.done().catch((e: unknown) => (error = e));
      expect(String(error)).to.contain('last one failed');
      expect(unhandled).to.deep.equal([]);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });
});
