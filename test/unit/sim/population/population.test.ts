import { CHANNELS, COUNTRY_CODES } from '../../../../features';
import { HOME_COUNTRIES, MCC_BY_CHANNEL } from '../../../../src/sim/population/context-catalogue';
import { createPopulation } from '../../../../src/sim/population/population';
import { drawCustomers, drawTerminals } from '../../../../src/sim/population/profiles';
import { createStream } from '../../../../src/sim/random/stream';

const options = { seed: 11, customers: 2000, terminals: 3000, radius: 5 };

describe('createPopulation', () => {
  const pop = createPopulation(options);

  it("draws the handbook's profiles: x, y ~ U(0,100), mean ~ U(5,100), sd = mean/2, rate ~ U(0,4)", () => {
    const c = pop.customers;
    let ok = true;
    for (let i = 0; i < c.count; i += 1) {
      const mean = c.meanAmount[i] as number;
      ok &&= (c.x[i] as number) >= 0 && (c.x[i] as number) < 100 && (c.y[i] as number) >= 0 && (c.y[i] as number) < 100;
      ok &&= mean >= 5 && mean < 100 && c.sdAmount[i] === mean / 2;
      ok &&= (c.txPerDay[i] as number) >= 0 && (c.txPerDay[i] as number) < 4;
    }
    expect(ok).toBe(true);
    const avg = (a: Float64Array) => a.reduce((x, y) => x + y, 0) / a.length;
    expect(Math.abs(avg(c.meanAmount) - 52.5)).toBeLessThan(1.5);
    expect(avg(c.txPerDay)).toBeCloseTo(2, 1);
  });

  it('is deterministic for a seed and changes with it', () => {
    const again = createPopulation(options);
    expect(again.customers.x).toEqual(pop.customers.x);
    expect(again.terminalsOf.items).toEqual(pop.terminalsOf.items);
    expect(again.terminalContext.mcc).toEqual(pop.terminalContext.mcc);
    expect(createPopulation({ ...options, seed: 12 }).customers.x).not.toEqual(pop.customers.x);
  });

  it("draws the handbook's profiles from their own streams, untouched by the context fields", () => {
    expect(pop.customers).toEqual(drawCustomers(createStream(options.seed, 'customers'), options.customers));
    expect(pop.terminals).toEqual(drawTerminals(createStream(options.seed, 'terminals'), options.terminals));
  });

  it('gives every customer a valid home country, mostly the dominant one', () => {
    const countries = pop.customerContext.country;
    expect(countries.every((c) => COUNTRY_CODES.includes(c) && HOME_COUNTRIES.values.includes(c))).toBe(true);
    expect(countries.filter((c) => c === 'BE').length / countries.length).toBeCloseTo(0.8, 1);
    const p = pop.customerContext.contactlessProbability;
    expect(p.every((x) => x >= 0.1 && x < 0.9)).toBe(true);
  });

  it('gives every terminal a channel, an MCC consistent with it (ATM = 6011) and a country, a few % foreign', () => {
    const { channel, mcc, country } = pop.terminalContext;
    for (let t = 0; t < channel.length; t += 1) {
      const ch = CHANNELS[channel[t] as number];
      expect(ch).toBeDefined();
      expect(MCC_BY_CHANNEL[ch as NonNullable<typeof ch>].values).toContain(mcc[t]);
      if (ch === 'atm') expect(mcc[t]).toBe('6011');
      expect(mcc[t]).toMatch(/^[0-9]{4}$/);
    }
    expect(new Set([...channel].map((i) => CHANNELS[i])).size).toBe(4);
    expect(country.every((c) => COUNTRY_CODES.includes(c))).toBe(true);
    const foreign = country.filter((c) => !HOME_COUNTRIES.values.includes(c)).length / country.length;
    expect(foreign).toBeGreaterThan(0.02);
    expect(foreign).toBeLessThan(0.1);
  });
});
