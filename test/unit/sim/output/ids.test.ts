import { customerId, terminalId, transactionId } from '../../../../src/sim/output/ids';

describe('ids', () => {
  it('pads transaction indices to 9 digits, customers and terminals to 5', () => {
    expect(transactionId(42)).toBe('tx000000042');
    expect(customerId(7)).toBe('c00007');
    expect(terminalId(9_999)).toBe('m09999');
  });
});
