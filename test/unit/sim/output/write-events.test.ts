import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatRfc3339, parseRfc3339 } from '../../../../features';
import { simEvents, writeEvents, writeEventsToFile } from '../../../../src/sim/output/write-events';
import { simulate } from '../../../../src/sim/simulation';
import { createValidators } from '../../../../src/validation/validators';

const small = { seed: 7, customers: 200, terminals: 400, days: 40 };

function text(r: ReturnType<typeof simulate>): { text: string; chunks: string[] } {
  const chunks: string[] = [];
  writeEvents(r, (c) => chunks.push(c));
  return { text: chunks.join(''), chunks };
}

describe('writeEvents', () => {
  const validators = createValidators();

  it.each(['fixed', 'chargeback'] as const)('writes lines that each validate against the event schemas (%s delays)', (labelDelayModel) => {
    const r = simulate({ ...small, labelDelayModel });
    const lines = text(r).text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(r.table.length + r.labels.length);
    let bad = 0;
    let labels = 0;
    for (const line of lines) {
      const { type, ...event } = JSON.parse(line) as { type: string };
      const ok = type === 'transaction' ? validators.transaction(event) : type === 'label' && validators.labelEvent(event);
      if (!ok) bad += 1;
      if (type === 'label') labels += 1;
    }
    expect(bad).toBe(0);
    expect(labels).toBeGreaterThan(0);
  });

  it('writes in arrival order: times never go back, a transaction precedes its label, equal times put transactions first', () => {
    const r = simulate({ ...small, labelDelayModel: 'chargeback' });
    let last = -Infinity;
    let lastType = 'transaction';
    const seen = new Set<string>();
    let ok = true;
    let index = -1;
    for (const event of simEvents(r)) {
      const t = (parseRfc3339(event.type === 'transaction' ? event.timestamp : event.reportedAt) as { epochSeconds: number }).epochSeconds;
      ok &&= t > last || (t === last && !(lastType === 'label' && event.type === 'transaction'));
      if (event.type === 'transaction') {
        const i = Number(event.transactionId.slice(2));
        ok &&= i === index + 1; // ids follow time order
        index = i;
        seen.add(event.transactionId);
      } else ok &&= seen.has(event.transactionId);
      last = t;
      lastType = event.type;
    }
    expect(ok).toBe(true);
  });

  it('writes timestamp = formatRfc3339(start + day*86400 + second) and the fixed label 7 days later', () => {
    const r = simulate(small);
    const events = [...simEvents(r)];
    const tx = events.filter((e) => e.type === 'transaction');
    const start = Date.UTC(2018, 3, 1) / 1000;
    const wrong = tx.filter((e, row) => e.type !== 'transaction' || e.timestamp !== formatRfc3339(start + (r.table.day[row] as number) * 86_400 + (r.table.second[row] as number)));
    expect(wrong).toEqual([]);
    const when = new Map(tx.map((e) => [e.transactionId, e.type === 'transaction' ? e.timestamp : '']));
    const labels = events.filter((e) => e.type === 'label');
    const late = labels.filter((e) => e.type !== 'label' || parseRfc3339(e.reportedAt)?.epochSeconds !== (parseRfc3339(when.get(e.transactionId) as string)?.epochSeconds as number) + 7 * 86_400);
    expect(labels.length).toBeGreaterThan(0);
    expect(late).toEqual([]);
  });

  it('is byte-identical for the same seed, different for another, and hands out whole-line chunks', () => {
    const a = text(simulate(small));
    const b = text(simulate(small));
    const digest = (s: string) => createHash('sha256').update(s).digest('hex');
    expect(digest(a.text)).toBe(digest(b.text));
    expect(digest(text(simulate({ ...small, seed: 8 })).text)).not.toBe(digest(a.text));
    expect(a.chunks.every((c) => c.endsWith('\n'))).toBe(true);
  });

  it('writes the same bytes to a file, reporting progress and sizes', () => {
    const r = simulate({ ...small, days: 120 });
    const path = join(mkdtempSync(join(tmpdir(), 'sim-')), 'events.ndjson');
    const progress: number[] = [];
    const stats = writeEventsToFile(r, path, (n) => progress.push(n));
    const onDisk = readFileSync(path, 'utf8');
    expect(onDisk).toBe(text(r).text);
    expect(stats).toEqual({ events: r.table.length + r.labels.length, bytes: Buffer.byteLength(onDisk) });
    expect(progress.length).toBeGreaterThan(1);
    expect(progress[progress.length - 1]).toBe(stats.events);
  });
});
