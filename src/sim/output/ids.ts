/** `tx` + the global transaction index, zero-padded to 9 digits (`tx000000042`). */
export function transactionId(index: number): string {
  return `tx${String(index).padStart(9, '0')}`;
}

/** `c` + the customer index, zero-padded to 5 digits (`c00042`). */
export function customerId(index: number): string {
  return `c${String(index).padStart(5, '0')}`;
}

/** `m` + the terminal (merchant) index, zero-padded to 5 digits (`m00042`). */
export function terminalId(index: number): string {
  return `m${String(index).padStart(5, '0')}`;
}
