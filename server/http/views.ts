// Server-rendered pages: handlebars with one layout, partials and a page per screen under templates/pages/.
// Templates are compiled once and cached. Data is always escaped ({{ }}); the only raw output is `json`, which
// makes a JSON data island safe to embed (no "</script>" break-out).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { flagLabel, formatDate, formatIndex, formatNumber, periodLabel, signed } from '../../reports/format.js';
import { ROLE_LABELS, type Role } from '../auth/policy.js';
import { STATE_LABELS, type SubmissionState } from '../submissions/workflow.js';
import { formatDateTime } from '../periods/period-calendar.js';
import { TIMELINESS_LABELS, type Timeliness } from '../dashboard/completeness.js';

const templatesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../templates');

const hbs = Handlebars.create();

hbs.registerHelper({
  eq: (a: unknown, b: unknown) => a === b,
  or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
  not: (a: unknown) => !a,
  num: (x: unknown, decimals: unknown) =>
    typeof x === 'number' ? formatNumber(x, typeof decimals === 'number' ? decimals : 2) : '',
  dti: (x: unknown) => formatIndex(typeof x === 'number' ? x : null),
  /** A change with its sign (+0,0324; −12,50), as the reports write it; nothing for a missing number. */
  signed: (x: unknown, decimals: unknown) => (typeof x === 'number' ? signed(x, typeof decimals === 'number' ? decimals : 4) : ''),
  date: (iso: unknown) => (typeof iso === 'string' && iso ? formatDate(iso) : ''),
  dateTime: (d: unknown) => (d instanceof Date ? formatDateTime(d) : ''),
  flagLabel: (f: unknown) => (typeof f === 'string' ? flagLabel(f as Parameters<typeof flagLabel>[0]) : ''),
  periodLabel: (kind: unknown, year: unknown) =>
    periodLabel(kind as 'semiannual' | 'annual', Number(year)),
  roleLabel: (r: unknown) => ROLE_LABELS[r as Role] ?? '',
  stateLabel: (s: unknown) => STATE_LABELS[s as SubmissionState] ?? '',
  timelinessLabel: (t: unknown) => TIMELINESS_LABELS[t as Timeliness] ?? '',
  fileSize: (n: unknown) =>
    typeof n !== 'number' ? '' : n < 1024 * 1024 ? `${formatNumber(Math.max(1, Math.round(n / 1024)), 0)} KB` : `${formatNumber(n / 1024 / 1024, 1)} MB`,
  json: (x: unknown) =>
    new hbs.SafeString(
      JSON.stringify(x ?? null)
        .replace(/</g, '\\u003c')
        .replace(/>/g, '\\u003e')
        .replace(/&/g, '\\u0026'),
    ),
});

export { formatDateTime };

const cache = new Map<string, Handlebars.TemplateDelegate>();

function compile(file: string): Handlebars.TemplateDelegate {
  let tpl = cache.get(file);
  if (!tpl) {
    tpl = hbs.compile(fs.readFileSync(file, 'utf8'), { strict: false });
    cache.set(file, tpl);
  }
  return tpl;
}

let partialsLoaded = false;
function loadPartials(): void {
  if (partialsLoaded) return;
  const dir = path.join(templatesDir, 'partials');
  for (const f of fs.readdirSync(dir)) {
    if (f.endsWith('.hbs')) hbs.registerPartial(f.slice(0, -4), fs.readFileSync(path.join(dir, f), 'utf8'));
  }
  partialsLoaded = true;
}

/** Renders templates/pages/{page}.hbs inside the main layout. */
export function renderPage(page: string, context: Record<string, unknown>): string {
  loadPartials();
  const body = compile(path.join(templatesDir, 'pages', `${page}.hbs`))(context);
  return compile(path.join(templatesDir, 'layouts', 'main.hbs'))({ ...context, body: new hbs.SafeString(body) });
}

const FRAGMENTS_KEPT = 32;
const fragments = new Map<string, Handlebars.SafeString>();

/**
 * Renders templates/partials/{partial}.hbs on its own, memoised on the data it is given: the same data gives the
 * same HTML, so nothing ever needs invalidating — new data is a new entry, and the least recently used ones go.
 * For large parts that many readers are shown alike (the rankings tables): hashing the data costs a fraction of
 * rendering it. The data must be plain (what JSON keeps is all the partial may read).
 */
export function renderFragment(partial: string, data: Record<string, unknown>): Handlebars.SafeString {
  const key = createHash('sha256').update(partial).update('\0').update(JSON.stringify(data)).digest('base64');
  let html = fragments.get(key);
  if (html) {
    fragments.delete(key);
  } else {
    loadPartials();
    html = new hbs.SafeString(compile(path.join(templatesDir, 'partials', `${partial}.hbs`))(data));
    if (fragments.size >= FRAGMENTS_KEPT) fragments.delete(fragments.keys().next().value!);
  }
  fragments.set(key, html);
  return html;
}
