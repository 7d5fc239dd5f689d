import { bestConnections, DEFAULT_CONNECTION_LADDER, parseConnectionLadder } from '../../src/bench/saturation-probe';

describe('bestConnections', () => {
  it('picks the count of the highest throughput, wherever it is on the ladder', () => {
    expect(bestConnections([{ connections: 16, rps: 12_000 }, { connections: 64, rps: 16_000 }, { connections: 256, rps: 15_000 }])).toBe(64);
    expect(bestConnections([{ connections: 16, rps: 40_000 }, { connections: 64, rps: 38_000 }])).toBe(16);
    expect(bestConnections([{ connections: 128, rps: 9 }])).toBe(128);
  });

  it('takes the smallest count within 2 % of the highest throughput, in any order', () => {
    expect(bestConnections([{ connections: 64, rps: 1000 }, { connections: 32, rps: 1000 }, { connections: 16, rps: 970 }])).toBe(32);
    expect(bestConnections([{ connections: 256, rps: 16_534 }, { connections: 128, rps: 16_410 }, { connections: 64, rps: 16_361 }, { connections: 32, rps: 15_439 }])).toBe(64);
    expect(bestConnections([{ connections: 16, rps: 979 }, { connections: 32, rps: 1000 }])).toBe(32);
  });

  it('throws on no points', () => {
    expect(() => bestConnections([])).toThrow(RangeError);
  });
});

describe('parseConnectionLadder', () => {
  it('reads one count or a list, in the order given', () => {
    expect(parseConnectionLadder('64')).toEqual([64]);
    expect(parseConnectionLadder('16, 64,32')).toEqual([16, 64, 32]);
  });

  it('refuses zero, signs, fractions, blanks and repeats', () => {
    for (const bad of ['0', '-1', '1.5', '', '16,,32', '16,16', 'x', '2e3']) expect(parseConnectionLadder(bad)).toBeNull();
  });

  it('has a default ladder that probes upwards from 16', () => {
    expect(DEFAULT_CONNECTION_LADDER[0]).toBe(16);
    expect([...DEFAULT_CONNECTION_LADDER].sort((a, b) => a - b)).toEqual([...DEFAULT_CONNECTION_LADDER]);
  });
});
