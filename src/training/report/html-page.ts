import { escapeHtml } from './escape-html';
import { REPORT_CSS } from './report-styles';

/** What a self-contained report page may load: nothing but its own inline styles (and data: images where allowed). */
export type PagePolicy = 'styles' | 'styles-and-data-images';

const POLICIES: Readonly<Record<PagePolicy, string>> = {
  styles: "default-src 'none'; style-src 'unsafe-inline'",
  'styles-and-data-images': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
};

/**
 * The opening of a self-contained HTML report page (inline CSS and SVG only, no script: even a
 * text field that smuggled in markup could not reach the network) up to and including `<main>`: doctype, a
 * Content-Security-Policy that forbids every fetch and script, the viewport, the escaped
 * `title`, and the reports' shared styles followed by `extraCss` (trusted text, not escaped).
 * The page closes with `</main></body></html>`. Never throws.
 */
export function pageHead(title: string, policy: PagePolicy = 'styles', extraCss = ''): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${POLICIES[policy]}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${REPORT_CSS}${extraCss === '' ? '' : ` ${extraCss}`}</style>`,
    '</head><body><main>',
  ].join('\n');
}
