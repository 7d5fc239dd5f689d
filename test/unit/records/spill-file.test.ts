import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countLines, LineReader } from '../../../src/records/spill-file';

describe('LineReader', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'spill-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('returns groups of lines across chunk boundaries, with the byte offset of the next line', () => {
    const path = join(dir, 'a.ndjson');
    // Lines of 700 KB straddle the 1 MiB chunks; multi-byte characters too.
    const lines = ['é'.repeat(350_000), 'x', '', 'y'.repeat(700_000), 'ü-z'];
    writeFileSync(path, lines.map((l) => `${l}\n`).join(''));
    const reader = new LineReader(path);
    expect(reader.next(2)).toEqual([lines[0], 'x']);
    expect(reader.offset).toBe(Buffer.byteLength(`${lines[0]}\nx\n`));
    expect(reader.next(10)).toEqual([lines[3], 'ü-z']); // the empty line is skipped
    expect(reader.next(10)).toEqual([]);
    reader.close();
    expect(countLines(path)).toBe(4);
  });

  test('returns a last line without its newline (torn by a crash); counts 0 for a missing file', () => {
    const path = join(dir, 'b.ndjson');
    writeFileSync(path, '1\n2\n{"tor');
    const reader = new LineReader(path);
    expect(reader.next(10)).toEqual(['1', '2', '{"tor']);
    expect(reader.offset).toBe(9);
    reader.close();
    expect(countLines(join(dir, 'missing'))).toBe(0);
  });
});
