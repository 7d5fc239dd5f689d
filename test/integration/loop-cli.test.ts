import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/fraudctl';
import type { LoopReport } from '../../src/loop/run-loop';
import { REPLAY_EVENT_TIMES } from '../../src/config/replay-event-times';
import { CHROMIUM, openInChromium, pageNetworkAttempts } from '../support/headless-chromium';
import { startTestService } from '../support/service';
import { captureIO } from '../support/cli-io';

/**
 * `fraudctl loop` end to end on a small world: two services (one per arm) on embedded defaults,
 * the whole stream through their HTTP APIs, `fraudctl retrain` weekly as its own process. The
 * arms differ only in whether the app's answers reach the service, so if confirmation labels
 * stopped changing later scores, the two arms' figures would be the same and this test would fail.
 */

const fakeIO = () => captureIO(process.env);
const SMALL = ['--customers', '1000', '--terminals', '2000', '--warmup-weeks', '5', '--weeks', '3', '--maturity-days', '7', '--lookback-days', '14', '--card-testing', '1', '--max-challenge-rate', '0.08'];

describe('fraudctl loop', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loop-cli-'));
  const page = join(dir, 'loop.html');
  let report: LoopReport & { report: string };

  beforeAll(async () => {
    const t = fakeIO();
    const code = await main(['loop', '--json', ...SMALL, '--report', page], t.io);
    expect({ code, stderr: t.stderr() }).toEqual({ code: 0, stderr: '' });
    report = JSON.parse(t.stdout()) as LoopReport & { report: string };
    writeFileSync(join(dir, 'loop.json'), t.stdout());
  }, 300_000);

  it('drives both arms through every payment with no failed request, retraining weekly through the gate', () => {
    expect(report.report).toBe(page);
    const { chargebacksOnly: cb, withApp: app } = report.arms;
    for (const a of [cb!, app!]) {
      expect(a.scoreErrors + a.labelErrors).toBe(0);
      expect(a.unscored).toBe(0);
      expect(a.weeks.map((w) => w.week)).toEqual([-4, -3, -2, -1, 0, 1, 2, 3]);
      expect(a.weeks.reduce((s, w) => s + w.transactions, 0)).toBe(report.transactions);
      expect(a.retrains).toHaveLength(3);
      for (const r of a.retrains) expect(r.parityMismatches).toBe(0);
      expect(a.fraudAmountStoppedShare).toBeGreaterThanOrEqual(0);
      expect(a.fraudAmountStoppedShare).toBeLessThanOrEqual(1);
      expect(a.legitimateFrictionShare).toBeGreaterThanOrEqual(0);
      expect(a.legitimateFrictionShare).toBeLessThanOrEqual(1);
      expect(a.stoppedFrauds + a.unansweredFrauds + a.missedFrauds).toBe(a.frauds);
    }
    expect(cb!.labelsSent.user_confirmation).toBe(0);
    expect(cb!.labelsSent.chargeback).toBeGreaterThan(0);
    expect(app!.labelsSent.user_confirmation).toBeGreaterThan(1000);
    // Champions change during the run: a promotion shows in the weeks' champion.
    const promoted = [...cb!.retrains, ...app!.retrains].filter((r) => r.promoted);
    expect(promoted.length).toBeGreaterThan(0);
    const champions = new Set([...cb!.weeks, ...app!.weeks].map((w) => w.champion));
    expect(champions.size).toBeGreaterThan(1);
  });

  it('stops a clearly larger share of fraud amount with the app, and reacts to the merchant wave within hours', () => {
    const { chargebacksOnly: cb, withApp: app } = report.arms;
    console.log(
      `loop (small world): fraud amount stopped ${cb!.fraudAmountStoppedShare?.toFixed(3)} without the app, ${app!.fraudAmountStoppedShare?.toFixed(3)} with it; ` +
        `friction ${cb!.legitimateFrictionShare?.toFixed(4)} / ${app!.legitimateFrictionShare?.toFixed(4)}; ` +
        `wave stopped ${cb!.wave?.fraudAmountStoppedShare?.toFixed(3)} / ${app!.wave?.fraudAmountStoppedShare?.toFixed(3)}, median merchant reaction ${cb!.wave?.medianMerchantReactionHours} h / ${app!.wave?.medianMerchantReactionHours} h`,
    );
    expect(app!.fraudAmountStoppedShare!).toBeGreaterThan(cb!.fraudAmountStoppedShare! + 0.1);
    expect(app!.wave!.fraudAmountStoppedShare!).toBeGreaterThan(cb!.wave!.fraudAmountStoppedShare! + 0.3);
    const never = (h: number | null | undefined) => (h === null || h === undefined ? Infinity : h);
    expect(never(app!.wave!.medianMerchantReactionHours)).toBeLessThan(48);
    expect(never(app!.wave!.medianMerchantReactionHours)).toBeLessThan(never(cb!.wave!.medianMerchantReactionHours));
  });

  (existsSync(CHROMIUM) || process.env.CI === 'true' ? it : it.skip)('writes a page with the weekly curves that headless Chromium renders, loading nothing', async () => {
    const run = await openInChromium(page, join(dir, 'loop.png'), { width: 1280, height: 2400 });
    expect((run.dom.match(/<svg class="chart"/g) ?? []).length).toBe(4);
    expect(run.dom).toMatch(/aria-label="Share of fraud amount stopped, per week"/);
    expect(run.dom).toMatch(/aria-label="Merchant wave: share of its fraud amount stopped, per day"/);
    // Each weekly chart has a point per measured week for each arm.
    const weekly = (run.dom.match(/<svg class="chart"[^>]*aria-label="Share of fraud amount stopped, per week".*?<\/svg>/s) ?? [''])[0];
    expect((weekly.match(/<circle class="dot-(model|reference)"/g) ?? []).length).toBe(6);
    expect(run.dom).toContain('chargebacks + app');
    expect(run.dom).toContain('id="arm-withApp"');
    expect(pageNetworkAttempts(run)).toEqual([]);
  });

  it('drives one arm against a running service with --url, retraining against that service\'s stores', async () => {
    const svc = await startTestService({ DECISION_EVENTS: 'off' });
    try {
      const t = fakeIO();
      const env = { ...process.env, DATA_DIR: svc.dataDir, MODEL_REGISTRY_DIR: svc.registryDir, ...REPLAY_EVENT_TIMES, DECISION_LOG_RETENTION_DAYS: '0' };
      const args = ['loop', '--json', '--url', svc.url, '--arm', 'withApp', '--customers', '200', '--terminals', '400', '--warmup-weeks', '0', '--weeks', '1', '--wave-day', 'off', '--report', join(dir, 'url.html')];
      expect(await main(args, { ...t.io, env })).toBe(0);
      const r = JSON.parse(t.stdout()) as LoopReport;
      expect(Object.keys(r.arms)).toEqual(['withApp']);
      const app = r.arms.withApp!;
      expect(app.scoreErrors + app.labelErrors).toBe(0);
      expect(app.transactions).toBe(r.transactions);
      // The one retraining at the start has no history to learn from: it keeps the champion and says why.
      expect(app.retrains).toHaveLength(1);
      expect(app.retrains[0]).toMatchObject({ promoted: false });
      expect(app.retrains[0]!.reason).not.toBe('');
      await svc.events.decisionLog.flush();
      const first = await svc.events.decisionLog.list({ fromEpochSeconds: 0, toEpochSeconds: 2 ** 31 });
      expect(first.length).toBe(r.transactions);
    } finally {
      await svc.close();
    }
    const bad = fakeIO();
    expect(await main(['loop', '--url', 'http://127.0.0.1:9', '--json'], bad.io)).toBe(2);
    expect(JSON.parse(bad.stdout())).toMatchObject({ error: { code: 'usage', message: expect.stringMatching(/--arm/) } });
  }, 120_000);
});
