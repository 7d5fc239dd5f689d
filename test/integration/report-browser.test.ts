import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { FEATURE_NAMES } from '../../features';
import { renderReport } from '../../src/training/report';
import { syntheticReportInput } from '../unit/training/report/synthetic-report-input';
import { CHROMIUM, openInChromium, pageNetworkAttempts, type BrowserRun } from '../support/headless-chromium';

// Renders a report from synthetic data, opens it in Debian's headless Chromium, and checks what a
// reader would see: a screenshot that is not blank, the charts in the DOM, and no network access.

const WIDTH = 1280;
const HEIGHT = 2400;
/** Kept after the run for a human to look at. */
const ARTIFACTS = join(tmpdir(), 'fraud-report-browser');
const available = existsSync(CHROMIUM);
const onCi = process.env.CI === 'true';

if (!available) {
  console.warn(`\n*** report-browser: ${CHROMIUM} not found; SKIPPING the browser test (apt-get install chromium) ***\n`);
}

interface Png {
  readonly width: number;
  readonly height: number;
  /** Bytes per pixel (3 = RGB, 4 = RGBA). */
  readonly channels: number;
  /** Unfiltered pixel rows, width·channels bytes each. */
  readonly pixels: Uint8Array;
}

/** Decodes an 8-bit, non-interlaced RGB/RGBA PNG (what Chromium writes). Throws on anything else. */
function decodePng(file: Buffer): Png {
  if (!file.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) throw new Error('not a PNG');
  let offset = 8;
  let header: Buffer | null = null;
  const data: Buffer[] = [];
  while (offset < file.length) {
    const length = file.readUInt32BE(offset);
    const type = file.toString('latin1', offset + 4, offset + 8);
    const body = file.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') header = body;
    if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }
  if (header === null) throw new Error('PNG without IHDR');
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  const [bitDepth, colorType, , , interlace] = [header[8], header[9], header[10], header[11], header[12]];
  if (bitDepth !== 8 || (colorType !== 2 && colorType !== 6) || interlace !== 0) {
    throw new Error(`unsupported PNG: depth ${bitDepth}, colour type ${colorType}, interlace ${interlace}`);
  }
  const channels = colorType === 6 ? 4 : 3;
  const stride = width * channels;
  const raw = inflateSync(Buffer.concat(data));
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y += 1) {
    const filter = raw[y * (stride + 1)] as number;
    if (filter > 4) throw new Error(`bad PNG filter ${filter} on row ${y}`);
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = y * stride;
    for (let x = 0; x < stride; x += 1) {
      const a = x >= channels ? (pixels[out + x - channels] as number) : 0;
      const b = y > 0 ? (pixels[out - stride + x] as number) : 0;
      const c = x >= channels && y > 0 ? (pixels[out - stride + x - channels] as number) : 0;
      pixels[out + x] = ((line[x] as number) + predict(filter, a, b, c)) & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

/**
 * The PNG filter predictor from the left (a), upper (b) and upper-left (c) bytes. No `Math.abs`:
 * inside Jest's vm sandbox every global lookup goes through an interceptor, 30× slower here.
 */
function predict(filter: number, a: number, b: number, c: number): number {
  switch (filter) {
    case 0:
      return 0;
    case 1:
      return a;
    case 2:
      return b;
    case 3:
      return (a + b) >> 1;
    default: {
      const p = a + b - c;
      const pa = p > a ? p - a : a - p;
      const pb = p > b ? p - b : b - p;
      const pc = p > c ? p - c : c - p;
      return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
  }
}

const describeBrowser = available ? describe : describe.skip;

describeBrowser('report.html in headless Chromium', () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const htmlPath = join(ARTIFACTS, 'report.html');
  const pngPath = join(ARTIFACTS, 'report.png');
  let run: BrowserRun;

  beforeAll(async () => {
    rmSync(pngPath, { force: true });
    writeFileSync(htmlPath, renderReport(syntheticReportInput()));
    run = await openInChromium(htmlPath, pngPath, { width: WIDTH, height: HEIGHT });
    writeFileSync(join(ARTIFACTS, 'dom.html'), run.dom);
  });

  it('renders a non-blank screenshot of the requested size', () => {
    const file = readFileSync(pngPath);
    expect(file.length).toBeGreaterThan(50 * 1024);
    const png = decodePng(file);
    expect([png.width, png.height]).toEqual([WIDTH, HEIGHT]);
    // Compare every pixel with the page background (top-left corner): charts, tables and text
    // must cover a real share of the page and bring many colours.
    const background = png.pixels.subarray(0, 3);
    const colours = new Set<number>();
    let differing = 0;
    for (let i = 0; i < png.pixels.length; i += png.channels) {
      const r = png.pixels[i] as number;
      const g = png.pixels[i + 1] as number;
      const b = png.pixels[i + 2] as number;
      if (r !== background[0] || g !== background[1] || b !== background[2]) differing += 1;
      colours.add((r << 16) | (g << 8) | b);
    }
    expect(differing / (WIDTH * HEIGHT)).toBeGreaterThan(0.3);
    expect(colours.size).toBeGreaterThan(200);
  });

  it('puts the six charts, the drift reference bars and the metrics into the DOM', () => {
    expect((run.dom.match(/<svg class="chart"/g) ?? []).length).toBe(6);
    expect((run.dom.match(/<svg class="spark"/g) ?? []).length).toBe(FEATURE_NAMES.length);
    expect(run.dom).toContain('Handbook XGBoost');
    expect(run.dom).toContain('>0.869<');
    expect((run.dom.match(/<rect class="bar-gain"/g) ?? []).length).toBe(20);
  });

  it('renders the calibration diagram, the confusion table and the per-scenario table', () => {
    const input = syntheticReportInput();
    const calibration = (run.dom.match(/<section class="card" id="calibration">.*?<\/section>/s) ?? [''])[0];
    expect(calibration).toMatch(/<svg class="chart"[^>]*aria-label="Reliability diagram \(test set\)"/);
    expect((calibration.match(/<circle class="dot-model"/g) ?? []).length).toBe(input.breakdown!.calibration.bins.filter((b) => b.rows > 0).length);
    const confusion = (run.dom.match(/<table id="confusion">.*?<\/table>/s) ?? [''])[0];
    expect([...confusion.matchAll(/<tr[^>]*><th scope="row">([^<]*)<\/th>/g)].map((m) => m[1])).toEqual(['approve', 'challenge', 'decline', 'all']);
    expect(confusion).toContain(`<td class="num">${input.testSet.rows.toLocaleString('en-US')}</td>`);
    const scenarios = (run.dom.match(/<section class="card" id="scenarios">.*?<\/section>/s) ?? [''])[0];
    expect([...scenarios.matchAll(/<tr[^>]*><th scope="row">([^<]*)<\/th>/g)].map((m) => m[1])).toEqual(['#1 amount-threshold', '#2 compromised-terminals', '#3 compromised-customers', 'legitimate']);
    expect(run.dom).toContain('id="by-channel"');
    expect(run.dom).toContain('id="by-amount"');
    expect(run.dom).toMatch(/<svg class="chart"[^>]*aria-label="Score reference distribution"/);
  });

  it('loads nothing from the network', () => {
    expect(pageNetworkAttempts(run)).toEqual([]);
  });

  it('would notice a page that loads from the network (detector self-check)', async () => {
    const control = join(ARTIFACTS, 'network-control.html');
    writeFileSync(
      control,
      '<!DOCTYPE html><html><head>' +
        `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src http://127.0.0.1:9">` +
        '<link rel="stylesheet" href="https://stylesheet.invalid/x.css"></head>' +
        '<body><img src="http://127.0.0.1:9/pixel.png"></body></html>',
    );
    const attempts = pageNetworkAttempts(await openInChromium(control, null));
    // The image is requested (NetLog); the stylesheet is blocked by the policy (console).
    expect(attempts.some((a) => a === 'http://127.0.0.1:9/pixel.png')).toBe(true);
    expect(attempts.some((a) => a.includes('https://stylesheet.invalid/x.css'))).toBe(true);
  });
});

if (!available) {
  // A skip is only acceptable on a developer machine; CI must have the browser.
  (onCi ? it : it.skip)(`needs ${CHROMIUM} (CI=true makes its absence a failure)`, () => {
    throw new Error(`${CHROMIUM} is not installed; apt-get install chromium`);
  });
}
