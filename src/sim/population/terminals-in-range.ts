import type { Csr } from './csr';

// Hoisted once: a global lookup per candidate is slow inside vm contexts (jest).
const { floor, max, min, sqrt } = Math;

/** Points as a struct of arrays. */
export interface Points {
  readonly count: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
}

/**
 * For each customer, the terminals at Euclidean distance strictly below `radius` (plain plane, no
 * wrap-around), in ascending terminal index, as the handbook computes it
 * (`sqrt(dx^2 + dy^2) < r`). A grid of `radius`-sized cells keeps it near O(customers × neighbours).
 */
export function terminalsInRange(customers: Points, terminals: Points, radius: number): Csr {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let t = 0; t < terminals.count; t += 1) {
    minX = min(minX, terminals.x[t] as number);
    minY = min(minY, terminals.y[t] as number);
    maxX = max(maxX, terminals.x[t] as number);
    maxY = max(maxY, terminals.y[t] as number);
  }
  const cols = terminals.count === 0 ? 0 : floor((maxX - minX) / radius) + 1;
  const rows = terminals.count === 0 ? 0 : floor((maxY - minY) / radius) + 1;
  const cellOf = new Int32Array(terminals.count);
  for (let t = 0; t < terminals.count; t += 1) {
    cellOf[t] = floor(((terminals.y[t] as number) - minY) / radius) * cols + floor(((terminals.x[t] as number) - minX) / radius);
  }
  const cells: number[][] = Array.from({ length: cols * rows }, () => []);
  for (let t = 0; t < terminals.count; t += 1) (cells[cellOf[t] as number] as number[]).push(t);

  const offsets = new Int32Array(customers.count + 1);
  const items: number[] = [];
  for (let c = 0; c < customers.count; c += 1) {
    const cx = customers.x[c] as number;
    const cy = customers.y[c] as number;
    const found: number[] = [];
    const col0 = max(0, floor((cx - radius - minX) / radius));
    const col1 = min(cols - 1, floor((cx + radius - minX) / radius));
    const row0 = max(0, floor((cy - radius - minY) / radius));
    const row1 = min(rows - 1, floor((cy + radius - minY) / radius));
    for (let r = row0; r <= row1; r += 1) {
      for (let q = col0; q <= col1; q += 1) {
        for (const t of cells[r * cols + q] as number[]) {
          const dx = (terminals.x[t] as number) - cx;
          const dy = (terminals.y[t] as number) - cy;
          if (sqrt(dx * dx + dy * dy) < radius) found.push(t);
        }
      }
    }
    found.sort((a, b) => a - b);
    for (const t of found) items.push(t);
    offsets[c + 1] = items.length;
  }
  return { offsets, items: Int32Array.from(items) };
}
