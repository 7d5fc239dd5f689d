import { settleWithin } from '../../../src/time/settle-within';

describe('settleWithin', () => {
  test('gives the value or the rejection of work that settles in time', async () => {
    await expect(settleWithin(Promise.resolve(7), 1_000)).resolves.toEqual({ kind: 'value', value: 7 });
    const error = new Error('down');
    await expect(settleWithin(Promise.reject(error), 1_000)).resolves.toEqual({ kind: 'error', error });
  });

  test('is late for work still pending at the deadline, which goes on (its later rejection is not unhandled)', async () => {
    let reject: (err: Error) => void = () => undefined;
    const work = new Promise<number>((_resolve, r) => (reject = r));
    await expect(settleWithin(work, 5)).resolves.toEqual({ kind: 'late' });
    reject(new Error('later'));
    await expect(work).rejects.toThrow('later');
  });

  test('with no time left, work already settled still counts', async () => {
    await expect(settleWithin(Promise.resolve('done'), 0)).resolves.toEqual({ kind: 'value', value: 'done' });
    await expect(settleWithin(new Promise(() => undefined), -3)).resolves.toEqual({ kind: 'late' });
  });
});
