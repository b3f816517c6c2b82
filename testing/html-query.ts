// Finds elements in rendered HTML by a simple CSS selector, so a test can click what a user
// would click. It reads the markup the runtime renders (well-formed, quoted attributes); it is
// not a general HTML parser. Selectors: one compound selector of a tag, `#id`, `.class`,
// `[attr]` and `[attr="value"]` parts (e.g. `button[phx-click="increment"]`, `form#post-form`).

/** An element found in the HTML. */
export interface FoundElement {
  readonly tag: string;
  readonly attributes: ReadonlyMap<string, string>;
  /** The element's markup, from its start tag to its end tag. */
  readonly outerHtml: string;
  /** The markup between its start and end tags. */
  readonly innerHtml: string;
}

interface Part {
  tag?: string;
  id?: string;
  classes: string[];
  attributes: [name: string, value: string | undefined][];
}

const VOID_TAGS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const START_TAG = /<([a-zA-Z][\w-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g;
const ATTRIBUTE = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

/** Every element matching `selector`, in document order. */
export function queryAll(html: string, selector: string): FoundElement[] {
  const part = parseSelector(selector);
  const found: FoundElement[] = [];
  for (const match of html.matchAll(START_TAG)) {
    const tag = match[1]!.toLowerCase();
    const attributes = parseAttributes(match[2] ?? '');
    if (!matches(part, tag, attributes)) continue;
    const start = match.index;
    const contentStart = start + match[0].length;
    const end = VOID_TAGS.has(tag) || match[0].endsWith('/>') ? contentStart : closingIndex(html, tag, contentStart);
    const innerHtml = html.slice(contentStart, end);
    const outerEnd = end === contentStart && VOID_TAGS.has(tag) ? end : end + `</${tag}>`.length;
    found.push({ tag, attributes, innerHtml, outerHtml: html.slice(start, outerEnd) });
  }
  return found;
}

/** The one element matching `selector`; throws when there is none, or more than one. */
export function queryOne(html: string, selector: string): FoundElement {
  const found = queryAll(html, selector);
  if (found.length !== 1) {
    throw new Error(`selector ${selector} matched ${found.length} elements, expected exactly one, in:\n${html}`);
  }
  return found[0]!;
}

/** The name/value pairs a form would submit from its own fields (inputs, selects, textareas). */
export function formFields(formHtml: string): [string, string][] {
  const fields: [string, string][] = [];
  for (const element of queryAll(formHtml, 'input')) {
    const name = element.attributes.get('name');
    const type = (element.attributes.get('type') ?? 'text').toLowerCase();
    if (!name || element.attributes.has('disabled') || ['submit', 'button', 'reset', 'file'].includes(type)) continue;
    if ((type === 'checkbox' || type === 'radio') && !element.attributes.has('checked')) continue;
    fields.push([name, element.attributes.get('value') ?? (type === 'checkbox' ? 'on' : '')]);
  }
  for (const element of queryAll(formHtml, 'textarea')) {
    const name = element.attributes.get('name');
    if (name) fields.push([name, unescapeHtml(element.innerHtml.replace(/^\n/, ''))]);
  }
  for (const element of queryAll(formHtml, 'select')) {
    const name = element.attributes.get('name');
    if (!name) continue;
    const options = queryAll(element.innerHtml, 'option');
    const chosen = options.find((o) => o.attributes.has('selected')) ?? options[0];
    if (chosen) fields.push([name, chosen.attributes.get('value') ?? unescapeHtml(chosen.innerHtml)]);
  }
  return fields;
}

/** What a client reads from a live page to join its view (the root container, the CSRF meta tag). */
export interface LivePageTokens {
  /** The root container's `id`; the view's topic is `lv:<id>`. */
  readonly id: string;
  /** `data-phx-session`. */
  readonly session: string;
  /** `data-phx-static`; `""` becomes `null`, as the official client sends it. */
  readonly static: string | null;
  /** `<meta name="csrf-token" content>`: the socket's `_csrf_token` query parameter. */
  readonly csrfToken: string;
}

/** The join tokens of a live page's HTML, or null when it has no root container or csrf-token meta tag. */
export function livePageTokens(html: string): LivePageTokens | null {
  const container = queryAll(html, '[data-phx-session]')[0]?.attributes;
  const csrfToken = queryAll(html, 'meta[name="csrf-token"]')[0]?.attributes.get('content');
  const id = container?.get('id');
  if (!container || !id || csrfToken === undefined) return null;
  return { id, session: container.get('data-phx-session')!, static: container.get('data-phx-static') || null, csrfToken };
}

/** The `_csrf_token` of the first POST form in `html`, or null when it has none. */
export function csrfInputOf(html: string): string | null {
  const input = /<input type="hidden" name="_csrf_token" value="([^"]+)">/.exec(html);
  return input ? unescapeHtml(input[1]!) : null;
}

/** Decodes the entities the runtime's escaping produces. */
export function unescapeHtml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, '&');
}

/** The element's text, tags removed and entities decoded. */
export function textOf(html: string): string {
  return unescapeHtml(html.replace(/<[^>]*>/g, ''))
    .replace(/\s+/g, ' ')
    .trim();
}

function parseAttributes(source: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const match of source.matchAll(ATTRIBUTE)) {
    attributes.set(match[1]!.toLowerCase(), unescapeHtml(match[2] ?? match[3] ?? match[4] ?? ''));
  }
  return attributes;
}

function parseSelector(selector: string): Part {
  const part: Part = { classes: [], attributes: [] };
  const token = /([a-zA-Z][\w-]*)|#([\w-]+)|\.([\w-]+)|\[\s*([^\s\]=]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\]\s]+)))?\s*\]/y;
  let at = 0;
  const source = selector.trim();
  while (at < source.length) {
    token.lastIndex = at;
    const m = token.exec(source);
    if (!m) throw new Error(`unsupported selector ${selector}: use one compound selector (tag#id.class[attr="value"])`);
    if (m[1]) part.tag = m[1].toLowerCase();
    else if (m[2]) part.id = m[2];
    else if (m[3]) part.classes.push(m[3]);
    else part.attributes.push([m[4]!.toLowerCase(), m[5] ?? m[6] ?? m[7]]);
    at = token.lastIndex;
  }
  return part;
}

function matches(part: Part, tag: string, attributes: ReadonlyMap<string, string>): boolean {
  if (part.tag && part.tag !== tag) return false;
  if (part.id !== undefined && attributes.get('id') !== part.id) return false;
  const classes = (attributes.get('class') ?? '').split(/\s+/);
  if (!part.classes.every((c) => classes.includes(c))) return false;
  return part.attributes.every(([name, value]) => attributes.has(name) && (value === undefined || attributes.get(name) === value));
}

function closingIndex(html: string, tag: string, from: number): number {
  const pattern = new RegExp(`<(/?)${tag}(?=[\\s>/])[^>]*>`, 'gi');
  pattern.lastIndex = from;
  let depth = 1;
  for (let m = pattern.exec(html); m; m = pattern.exec(html)) {
    if (m[1]) depth--;
    else if (!m[0].endsWith('/>')) depth++;
    if (depth === 0) return m.index;
  }
  return html.length;
}
