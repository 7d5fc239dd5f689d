import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

/** Debian's Chromium (apt-get install chromium). */
export const CHROMIUM = '/usr/bin/chromium';

/** What headless Chromium gave for one page. */
export interface BrowserRun {
  /** The DOM after load (--dump-dom). */
  readonly dom: string;
  readonly stderr: string;
  readonly netLog: string;
}

/**
 * Runs headless Chromium on one file with a fresh profile and a `width`×`height` window; returns the
 * dumped DOM, its log and its NetLog, and writes a screenshot when `screenshotPath` is given.
 */
export async function openInChromium(htmlPath: string, screenshotPath: string | null, size: { readonly width: number; readonly height: number } = { width: 1280, height: 2400 }): Promise<BrowserRun> {
  const work = mkdtempSync(join(tmpdir(), 'report-chromium-'));
  const netLogPath = join(work, 'netlog.json');
  try {
    const { stdout, stderr } = await promisify(execFile)(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${join(work, 'profile')}`,
        `--window-size=${size.width},${size.height}`,
        '--enable-logging=stderr',
        '--v=0',
        `--log-net-log=${netLogPath}`,
        '--dump-dom',
        ...(screenshotPath === null ? [] : [`--screenshot=${screenshotPath}`]),
        pathToFileURL(htmlPath).href,
      ],
      { timeout: 45_000, maxBuffer: 32 * 1024 * 1024 },
    );
    return { dom: stdout, stderr, netLog: readFileSync(netLogPath, 'utf8') };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Network resources the page itself asked for: requests in the NetLog made on behalf of a
 * document (Chromium's own background requests have the initiator "not an origin"), plus loads
 * the page's Content-Security-Policy blocked, which Chromium reports as console messages.
 */
export function pageNetworkAttempts(run: BrowserRun): string[] {
  const log = JSON.parse(run.netLog) as {
    constants: { logEventTypes: Record<string, number> };
    events: { type: number; params?: { url?: string; initiator?: string } }[];
  };
  const startJob = log.constants.logEventTypes.URL_REQUEST_START_JOB;
  const requested = log.events
    .filter((e) => e.type === startJob && e.params?.url !== undefined && e.params.initiator !== 'not an origin')
    .map((e) => e.params?.url ?? '')
    .filter((url) => !url.startsWith('file:') && !url.startsWith('data:'));
  const blocked = run.stderr.split('\n').filter((line) => /:CONSOLE/.test(line) && /Content Security Policy/.test(line));
  return [...requested, ...blocked];
}
