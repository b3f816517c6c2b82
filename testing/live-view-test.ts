// One mounted live view seen from a test: its HTML as the client holds it, and the interactions
// a user has (click, change, submit, patch), each sent as the official client sends it and
// answered with what the client would do next.

import { joinPayload, type ChannelReply, type ChannelSocket, type Payload, type PushedFrame } from './channel-socket.ts';
import { formFields, queryAll, queryOne, textOf, type FoundElement } from './html-query.ts';
import { RenderedTree } from './rendered.ts';

/**
 * What an interaction led to:
 * - `rendered`: the view replied (with a diff or with nothing); `html` is its HTML now;
 * - `patched`: the view called `pushPatch(to)`; it is still mounted, at `to`;
 * - `navigate`: `pushNavigate(to)`: the view closed; `follow` mounts `to` over the same socket;
 * - `redirect`: `redirect(to)`: the view closed; `follow` loads `to` over HTTP;
 * - `denied`: the event's policy refused it (or it is not declared); nothing ran.
 */
export type EventResult =
  | { readonly kind: 'rendered'; readonly html: string }
  | { readonly kind: 'patched'; readonly to: string; readonly html: string }
  | { readonly kind: 'navigate'; readonly to: string }
  | { readonly kind: 'redirect'; readonly to: string }
  | { readonly kind: 'denied'; readonly reason: string };

/** Form values to merge over a form's own fields: `{ title: 'x' }` or nested, `{ post: { title: 'x' } }`. */
export type FormValues = { readonly [name: string]: string | number | boolean | FormValues | readonly string[] };

/** A `push_event` the view sent: its name and payload. */
export type PushedEvent = readonly [name: string, payload: Payload];

/** How a view test reaches the page loader (for redirects), without a cycle between modules. */
export interface ViewHost {
  load(path: string, cookie: string, redirects: string[]): Promise<LiveViewTest>;
}

export interface JoinTokens {
  readonly url: string;
  readonly topic: string;
  readonly session: string;
  readonly static: string | null;
  readonly csrfToken: string;
  readonly cookie: string;
}

export class LiveViewTest {
  readonly #socket: ChannelSocket;
  readonly #host: ViewHost;
  readonly #tokens: JoinTokens;
  readonly #tree = new RenderedTree();
  readonly #events: PushedEvent[] = [];
  readonly #redirects: string[];
  readonly #waiters: (() => void)[] = [];
  #joinRef: string | null = null;
  /**
   * Pushes that arrived while the join reply was on its way to `join`: the server sends them after
   * the reply, but the socket hands them over at once while the reply resumes `join` a few
   * microtasks later. They are merged after the reply's render, in the order they came.
   */
  #early: PushedFrame[] | null = null;
  #url: URL;
  #closedBy: EventResult | null = null;

  /** @internal made by `LiveTest.live` */
  constructor(socket: ChannelSocket, host: ViewHost, tokens: JoinTokens, redirects: string[]) {
    this.#socket = socket;
    this.#host = host;
    this.#tokens = tokens;
    this.#url = new URL(tokens.url);
    this.#redirects = redirects;
    socket.listen(tokens.topic, (frame) => this.#onPush(frame));
  }

  /** The path (and query) the view is at now: patches move it. */
  get path(): string {
    return this.#url.pathname + this.#url.search;
  }

  /** The paths redirected through before this view mounted (HTTP redirects, join-time redirects). */
  get redirects(): readonly string[] {
    return this.#redirects;
  }

  /** The page title the view set (`setPageTitle`), if any. */
  get title(): string | undefined {
    return this.#tree.title;
  }

  /** The view's HTML now (inside its root container). */
  html(): string {
    return this.#tree.toHtml();
  }

  /** The one element matching `selector`; throws when none or several match. */
  element(selector: string): FoundElement {
    return queryOne(this.html(), selector);
  }

  /** Whether some element matches `selector`. */
  has(selector: string): boolean {
    return queryAll(this.html(), selector).length > 0;
  }

  /** The text of the one element matching `selector` (tags removed, whitespace collapsed). */
  text(selector: string): string {
    return textOf(this.element(selector).innerHtml);
  }

  /** The `push_event`s received since the last call, oldest first. */
  takePushEvents(): PushedEvent[] {
    return this.#events.splice(0);
  }

  /**
   * Clicks the element matching `selector`: sends its `phx-click` event with its `phx-value-*`
   * attributes (plus `value`, if given), to the component its `phx-target` cid names if any, as
   * the official client does.
   *
   * @example
   *   const result = await view.click('button[phx-click="increment"]');
   *   expect(view.text('#count')).toBe('1');
   */
  click(selector: string, value: Record<string, string> = {}): Promise<EventResult> {
    const element = this.element(selector);
    const event = element.attributes.get('phx-click');
    if (!event) throw new Error(`${selector} has no phx-click`);
    if (event.startsWith('[')) throw new Error(`${selector}: phx-click holds JS commands, which need a browser`);
    const values: Record<string, string> = {};
    for (const [name, attribute] of element.attributes) {
      if (name.startsWith('phx-value-')) values[name.slice('phx-value-'.length)] = attribute;
    }
    return this.#push('event', { type: 'click', event, value: { ...values, ...value }, ...targetOf(element) });
  }

  /** Sends event `event` with `value` as a `phx-click` would, whether or not the page shows it. */
  async pushEvent(event: string, value: Payload = {}): Promise<EventResult> {
    return this.#push('event', { type: 'click', event, value });
  }

  /**
   * Changes the form matching `selector`: sends its `phx-change` event with the form's fields
   * and `values` merged over them (`_target` names the first changed field, as in a browser).
   */
  change(selector: string, values: FormValues = {}): Promise<EventResult> {
    return this.#form(selector, 'phx-change', values, true);
  }

  /** Submits the form matching `selector`: its `phx-submit` event with its fields and `values`. */
  submit(selector: string, values: FormValues = {}): Promise<EventResult> {
    return this.#form(selector, 'phx-submit', values, false);
  }

  /** Patches the URL from the client (a `<.link patch>` click): `handleParams` runs again. */
  async patch(path: string): Promise<EventResult> {
    const url = new URL(path, this.#url).href;
    const reply = await this.#request('live_patch', { url });
    if (reply.status === 'ok') this.#url = new URL(url);
    return this.#result(reply);
  }

  /**
   * Follows the link matching `selector` as the official client does: a `data-phx-link="patch"`
   * link patches this view; a `data-phx-link="redirect"` one navigates over the socket when the
   * target is in the same liveSession, and else (the server refuses the join) loads it over
   * HTTP; a plain link loads over HTTP. Resolves with the view now shown.
   */
  async followLink(selector: string): Promise<LiveViewTest> {
    const link = this.element(selector);
    const href = link.attributes.get('href');
    if (!href) throw new Error(`${selector} has no href`);
    const kind = link.attributes.get('data-phx-link');
    if (kind === 'patch') {
      const result = await this.patch(href);
      if (result.kind === 'denied') throw new Error(`patch to ${href} refused: ${result.reason}`);
      return this;
    }
    return this.follow({ kind: kind === 'redirect' ? 'navigate' : 'redirect', to: href });
  }

  /** Resolves at the next render the server pushes (after `handleInfo`, a broadcast, a timer). */
  nextRender(): Promise<string> {
    return new Promise((resolve) => this.#waiters.push(() => resolve(this.html())));
  }

  /**
   * Follows a `navigate` result over the same socket (a live navigation join, as the official
   * client does) or a `redirect` one over HTTP; returns the view mounted there.
   */
  async follow(result: EventResult): Promise<LiveViewTest> {
    if (result.kind === 'redirect') {
      await this.#socket.close();
      return this.#host.load(result.to, this.#tokens.cookie, [...this.#redirects, result.to]);
    }
    if (result.kind !== 'navigate') throw new Error(`nothing to follow: the result is ${result.kind}`);
    if (this.#joinRef !== null && !this.#closedBy) await this.#request('phx_leave', {});
    this.#closedBy = result;
    const url = new URL(result.to, this.#url).href;
    const next = new LiveViewTest(this.#socket, this.#host, { ...this.#tokens, url }, this.#redirects);
    const reply = await next.join({ redirect: url });
    if (reply.status !== 'ok') {
      // Outside this liveSession (or refused): the official client loads the page over HTTP.
      await this.#socket.close();
      return this.#host.load(result.to, this.#tokens.cookie, [...this.#redirects, result.to]);
    }
    return next;
  }

  /** Closes the socket (the view terminates on the server as on a closed tab). */
  close(): Promise<void> {
    return this.#socket.close();
  }

  /** @internal joins the view; resolves with the join reply (refusals included). */
  async join(extra: Payload = {}): Promise<ChannelReply> {
    const ref = this.#socket.nextRef();
    this.#joinRef = ref;
    this.#early = [];
    let reply: ChannelReply;
    try {
      reply = await this.#socket.request(ref, this.#tokens.topic, 'phx_join', joinPayload(this.#tokens, extra), ref);
    } catch (err) {
      this.#early = null;
      throw err;
    }
    const early = this.#early;
    this.#early = null;
    if (reply.status === 'ok') {
      this.#tree.reset(reply.response.rendered as Payload);
      this.#takeEvents(reply.response.rendered as Payload);
      if (typeof reply.response.live_patch === 'object' && reply.response.live_patch) {
        this.#url = new URL(String((reply.response.live_patch as Payload).to), this.#url);
      }
      for (const frame of early) this.#onPush(frame);
    }
    return reply;
  }

  async #form(selector: string, binding: 'phx-change' | 'phx-submit', values: FormValues, withTarget: boolean): Promise<EventResult> {
    const form = this.element(selector);
    const event = form.attributes.get(binding);
    if (!event) throw new Error(`${selector} has no ${binding}`);
    const fields = new Map<string, string[]>();
    for (const [name, value] of formFields(form.innerHtml)) fields.set(name, [...(fields.get(name) ?? []), value]);
    const given = flattenValues(values);
    for (const name of new Set(given.map(([n]) => n)))
      fields.set(
        name,
        given.filter(([n]) => n === name).map(([, v]) => v),
      );
    const body = new URLSearchParams();
    for (const [name, list] of fields) for (const value of list) body.append(name, value);
    if (withTarget && given.length > 0) body.append('_target', given[0]![0].replace(/\[\]$/, ''));
    return this.#push('event', { type: 'form', event, value: body.toString(), ...targetOf(form) });
  }

  async #push(event: string, payload: Payload): Promise<EventResult> {
    return this.#result(await this.#request(event, payload));
  }

  #request(event: string, payload: Payload): Promise<ChannelReply> {
    if (this.#closedBy) throw new Error(`the view has closed (${this.#closedBy.kind}); follow the result first`);
    return this.#socket.request(this.#joinRef, this.#tokens.topic, event, payload);
  }

  #result(reply: ChannelReply): EventResult {
    const { response } = reply;
    if (reply.status === 'error') return { kind: 'denied', reason: String(response.reason ?? 'error') };
    if (isObject(response.redirect)) return this.#close({ kind: 'redirect', to: String(response.redirect.to) });
    if (isObject(response.live_redirect)) return this.#close({ kind: 'navigate', to: String(response.live_redirect.to) });
    if (isObject(response.diff)) {
      this.#tree.merge(response.diff);
      this.#takeEvents(response.diff);
    }
    return this.#patchedTo !== null
      ? { kind: 'patched', to: this.#takePatch(), html: this.html() }
      : { kind: 'rendered', html: this.html() };
  }

  #patchedTo: string | null = null;

  #takePatch(): string {
    const to = this.#patchedTo!;
    this.#patchedTo = null;
    return to;
  }

  #close(result: EventResult): EventResult {
    this.#closedBy = result;
    return result;
  }

  #takeEvents(diff: Payload): void {
    if (Array.isArray(diff.e)) for (const [name, payload] of diff.e as [string, Payload][]) this.#events.push([name, payload]);
  }

  #onPush(frame: PushedFrame): void {
    if (this.#early) {
      this.#early.push(frame);
      return;
    }
    switch (frame.event) {
      case 'diff':
        this.#tree.merge(frame.payload);
        this.#takeEvents(frame.payload);
        for (const wake of this.#waiters.splice(0)) wake();
        return;
      case 'live_patch':
        this.#patchedTo = String(frame.payload.to);
        this.#url = new URL(this.#patchedTo, this.#url);
        return;
      case 'redirect':
        this.#closedBy = { kind: 'redirect', to: String(frame.payload.to) };
        return;
      case 'live_redirect':
        this.#closedBy = { kind: 'navigate', to: String(frame.payload.to) };
        return;
    }
  }
}

/** `{ cid }` when the element's `phx-target` names a component by its cid (`phx-target="${myself}"`), as the client sends it. */
function targetOf(element: FoundElement): { cid?: number } {
  const target = element.attributes.get('phx-target');
  return target !== undefined && /^\d+$/.test(target) ? { cid: Number(target) } : {};
}

function isObject(value: unknown): value is Payload {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function flattenValues(values: FormValues, prefix = ''): [string, string][] {
  const out: [string, string][] = [];
  for (const [key, value] of Object.entries(values)) {
    const name = prefix ? `${prefix}[${key}]` : key;
    if (Array.isArray(value)) for (const item of value) out.push([`${name}[]`, String(item)]);
    else if (typeof value === 'object' && value !== null) out.push(...flattenValues(value as FormValues, name));
    else out.push([name, String(value)]);
  }
  return out;
}
