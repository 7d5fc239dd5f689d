import { BOOK_SCENARIOS, MERCHANT_WAVE_DEFAULTS, merchantWaveScenario, simulate } from '../../../../src/sim';

const WORLD = { seed: 3, customers: 300, terminals: 600, startDay: 0, days: 21 } as const;
const wave = (startDay: number) => [...BOOK_SCENARIOS, merchantWaveScenario({ ...MERCHANT_WAVE_DEFAULTS, startDay })];

function waveRows(startDay: number) {
  const r = simulate(WORLD, wave(startDay));
  const rows: number[] = [];
  for (let row = 0; row < r.table.length; row++) if (r.table.scenario[row] === MERCHANT_WAVE_DEFAULTS.id) rows.push(row);
  return { r, rows };
}

describe('scenario 5: a merchant-compromise wave', () => {
  it('puts stolen-card payments on a few merchants, through their own channel, every day of the wave and only then', () => {
    const { r, rows } = waveRows(7);
    const { merchants, perMerchantPerDay, days, amountMinor } = MERCHANT_WAVE_DEFAULTS;
    // Nearly every planned payment finds a card with a transaction to take over (a card without one is skipped).
    expect(rows.length).toBeGreaterThan(0.9 * merchants * perMerchantPerDay * days);
    expect(rows.length).toBeLessThanOrEqual(merchants * perMerchantPerDay * days);
    const terminals = new Set(rows.map((row) => r.table.terminal[row] as number));
    expect(terminals.size).toBe(merchants);
    const perDay = new Map<number, number>();
    for (const row of rows) {
      expect(r.table.fraud[row]).toBe(1);
      expect(r.table.channel[row]).toBe(r.population.terminalContext.channel[r.table.terminal[row] as number]);
      expect(r.table.amountMinor[row]).toBeGreaterThanOrEqual(amountMinor[0]);
      expect(r.table.amountMinor[row]).toBeLessThanOrEqual(amountMinor[1]);
      const day = r.table.day[row] as number;
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
    }
    expect([...perDay.keys()].sort((a, b) => a - b)).toEqual([7, 8, 9, 10, 11, 12, 13]);
    // The table stays in time order after the moves, and the cards are many.
    for (let row = 1; row < r.table.length; row++) {
      const prev = (r.table.day[row - 1] as number) * 86_400 + (r.table.second[row - 1] as number);
      expect((r.table.day[row] as number) * 86_400 + (r.table.second[row] as number)).toBeGreaterThanOrEqual(prev);
    }
    expect(new Set(rows.map((row) => r.table.customer[row])).size).toBeGreaterThan(100);
  });

  it('is the same on every run, and absent when the wave lies outside the period', () => {
    const a = waveRows(7);
    const b = waveRows(7);
    expect(b.rows).toEqual(a.rows);
    expect(Array.from(b.r.table.amountMinor)).toEqual(Array.from(a.r.table.amountMinor));
    expect(waveRows(40).rows).toEqual([]);
    // Without the wave the world is the handbook's: the wave only moves rows it marks.
    const plain = simulate(WORLD, BOOK_SCENARIOS);
    expect(a.r.table.length).toBe(plain.table.length);
  });
});
