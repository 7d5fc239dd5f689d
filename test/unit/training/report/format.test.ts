import { escapeHtml } from '../../../../src/training/report';
import { formatCount, formatFixed, formatPercent, formatPowerOfTen, formatSigned, px } from '../../../../src/training/report/format';

describe('report formatting', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x">Tom & Jerry's</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;');
  });

  it('formats numbers for tables and axes', () => {
    expect(formatFixed(0.86912)).toBe('0.869');
    expect(formatFixed(NaN)).toBe('—');
    expect(formatFixed(null)).toBe('—');
    expect(formatSigned(0.0314)).toBe('+0.031');
    expect(formatSigned(-0.0314)).toBe('\u22120.031');
    expect(formatSigned(-0.0001)).toBe('±0.000');
    expect(formatPercent(0.02134)).toBe('2.13%');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect([0, 1, 2, 3, 4, 6, 7].map(formatPowerOfTen)).toEqual(['1', '10', '100', '1k', '10k', '1M', '10M']);
    expect(px(12.345)).toBe('12.3');
  });
});
