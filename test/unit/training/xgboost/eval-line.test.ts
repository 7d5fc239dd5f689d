import { improves, isMaximized, parseEvalLine } from '../../../../src/training/xgboost';

describe('parseEvalLine', () => {
  it('keys scores by set and metric', () => {
    expect(parseEvalLine('[12]\ttrain-aucpr:0.91250\tvalid-aucpr:0.87\tvalid-error@0.7:0.05'))
      .toEqual({ 'train-aucpr': 0.9125, 'valid-aucpr': 0.87, 'valid-error@0.7': 0.05 });
  });

  it('parses a non-numeric value as NaN', () => {
    expect(parseEvalLine('[0]\tvalid-aucpr:nan')['valid-aucpr']).toBeNaN();
  });

  it('rejects an entry without a value', () => {
    expect(() => parseEvalLine('[0]\tgarbage')).toThrow(new SyntaxError('unexpected XGBoost evaluation entry "garbage" in "[0]\tgarbage"'));
  });
});

describe('metric direction', () => {
  it('maximises ranking metrics and minimises losses', () => {
    expect(isMaximized('aucpr')).toBe(true);
    expect(isMaximized('auc')).toBe(true);
    expect(isMaximized('logloss')).toBe(false);
    expect(isMaximized('error')).toBe(false);
  });

  it('counts only strict improvements; NaN never improves and anything beats NaN', () => {
    expect(improves('aucpr', 0.8, 0.7)).toBe(true);
    expect(improves('aucpr', 0.7, 0.7)).toBe(false);
    expect(improves('logloss', 0.3, 0.4)).toBe(true);
    expect(improves('aucpr', Number.NaN, 0.1)).toBe(false);
    expect(improves('logloss', 5, Number.NaN)).toBe(true);
  });
});
