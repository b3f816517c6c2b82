// `html` tagged templates: the strings array is the statics, the values are the dynamics.
//
// A template literal's strings array is the same object every time its call site runs, so it
// doubles as the template's fingerprint: the diff engine compares statics by identity to know
// whether the client already holds them.

import { StreamRows } from './live-stream.ts';

/** A rendered template: statics shared by every render of one call site, plus this render's values. */
export class Rendered {
  readonly statics: readonly string[];
  readonly dynamics: readonly unknown[];
  constructor(statics: readonly string[], dynamics: readonly unknown[]) {
    this.statics = statics;
    this.dynamics = dynamics;
  }
  /** The HTML this template renders to, for the dead (HTTP) render. */
  toString(): string {
    return renderToString(this);
  }
}

/** HTML that must not be escaped. Only `raw()` creates one, so unescaped output is greppable. */
export class SafeHtml {
  readonly html: string;
  constructor(html: string) {
    this.html = html;
  }
  toString(): string {
    return this.html;
  }
}

/** A list entry with a key: lets the diff recognise moved rows instead of rewriting every row. */
export class Keyed {
  readonly key: string | number;
  readonly rendered: Rendered;
  constructor(key: string | number, rendered: Rendered) {
    this.key = key;
    this.rendered = rendered;
  }
}

/**
 * Where a stateful component renders inside a template: which component, its id, and the
 * attributes its `update` receives. The component itself lives in the view's component table;
 * the template only names it (see `liveComponent`).
 */
export class ComponentCall {
  readonly component: object;
  readonly id: string | number;
  readonly attrs: Readonly<Record<string, unknown>>;
  constructor(component: object, id: string | number, attrs: Readonly<Record<string, unknown>>) {
    this.component = component;
    this.id = id;
    this.attrs = attrs;
  }
}

/**
 * A part of a template rendered only when its dependencies change (see `memo`): the diff keeps
 * what the client holds there while `deps` are the same, without calling `render`.
 */
export class Memo {
  readonly deps: readonly unknown[];
  readonly render: () => unknown;
  constructor(deps: readonly unknown[], render: () => unknown) {
    this.deps = deps;
    this.render = render;
  }
}

/** Renders a component call to HTML; only a view's component table can. */
export type ComponentHtml = (call: ComponentCall) => string;

/**
 * Builds a template. Interpolated values are HTML-escaped unless they are `raw()` or nested
 * templates; arrays of templates become lists; `null`, `undefined` and `false` render nothing.
 *
 * @example
 *   html`<p id="count">${count}</p>`
 *   html`<ul>${items.map((i) => html`<li>${i.name}</li>`)}</ul>`
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Rendered {
  return new Rendered(strings, values);
}

/**
 * Marks trusted HTML to be inserted as-is. Never pass user input here.
 *
 * @example
 *   raw('<span class="icon">&#9733;</span>')
 */
export function raw(trustedHtml: string): SafeHtml {
  return new SafeHtml(trustedHtml);
}

/**
 * Gives a list row a stable key, so reordering a list sends moves instead of rewritten rows.
 *
 * @example
 *   html`<ul>${posts.map((p) => keyed(p.id, html`<li>${p.title}</li>`))}</ul>`
 */
export function keyed(key: string | number, rendered: Rendered): Keyed {
  return new Keyed(key, rendered);
}

/**
 * Renders `render()` at this position only when one of `deps` changed (each compared with
 * `Object.is`) since the position last rendered; otherwise nothing there is computed, diffed or
 * sent, and the client keeps what it shows. Everything the part shows must come from `deps` or
 * be constant: a value read but not listed is not noticed. Phoenix tracks which assigns each
 * part of a template reads; a tagged template cannot tell, so a view says it here, for parts
 * that are costly or that rarely change (a menu, a list of links, the flash). A stream cannot
 * render inside a memo (its rows are sent once, at the render that inserts them); components can.
 *
 * @example
 *   html`<nav>${memo([user.id], () => userMenu(user))}</nav>
 *     <p>${count}</p>`
 */
export function memo(deps: readonly unknown[], render: () => unknown): Memo {
  return new Memo(deps, render);
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const NEEDS_ESCAPE = /[&<>"']/;
const ESCAPE_ALL = /[&<>"']/g;

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHtml(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(ESCAPE_ALL, (ch) => ESCAPES[ch]!);
}

/** The escaped string form of a leaf value (anything that is not a template or a list). */
export function leafToString(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (typeof value === 'string') return escapeHtml(value);
  if (value instanceof SafeHtml) return value.html;
  if (typeof value === 'number' || typeof value === 'bigint' || value === true) return String(value);
  return escapeHtml(String(value));
}

/**
 * Renders a template (or any dynamic value) to an HTML string. Stateful components inside it are
 * rendered by `components` (a view's component table); without one they cannot render.
 */
export function renderToString(value: unknown, components?: ComponentHtml): string {
  if (value instanceof Rendered) {
    const { statics, dynamics } = value;
    let out = statics[0]!;
    for (let i = 0; i < dynamics.length; i++) {
      out += renderToString(dynamics[i], components) + statics[i + 1]!;
    }
    return out;
  }
  if (value instanceof Keyed) return renderToString(value.rendered, components);
  if (value instanceof Memo) return renderToString(value.render(), components);
  // The dead render shows a stream's rows in insert order, as its container starts out.
  if (value instanceof StreamRows) return renderToString(value.rows, components);
  if (value instanceof ComponentCall) {
    if (!components) throw new TypeError('a live component renders only inside a live view');
    return components(value);
  }
  if (Array.isArray(value)) {
    let out = '';
    for (const item of value) out += renderToString(item, components);
    return out;
  }
  return leafToString(value);
}
