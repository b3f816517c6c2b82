// The HTTP connection as it flows through plugs: request data in, assigns and a response out.
// A plug may assign, respond and halt; the pipeline stops at the first halt (as Plug does).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CookieSession } from '../security/cookie-session.ts';
import { parseCookies } from '../security/cookie-session.ts';
import type { Flash } from '../live-view.ts';

export type Plug = (conn: Conn) => void | Promise<void>;
export type Handler = (conn: Conn) => void | Promise<void>;

/** Request bodies larger than this are refused with 413 before they are read whole. */
export const MAX_FORM_BYTES = 64 * 1024;

export class Conn {
  readonly req: IncomingMessage;
  readonly method: string;
  readonly url: URL;
  readonly cookies: Map<string, string>;
  /** Route parameters (`/posts/:id` → `{ id }`). */
  params: Record<string, string> = {};
  /** Values loaded by plugs (the current user, say), visible to `assignNew` on the dead render. */
  readonly assigns: Record<string, unknown> = {};
  /** The cookie session, once `fetchSession` ran; `null` before. */
  session: CookieSession | null = null;
  sessionChanged = false;
  /**
   * Flash messages: those of the redirect that led here (shown once), plus those put by this
   * request, which follow a redirect response to the next page.
   */
  flash: Flash = {};
  halted = false;
  /**
   * Set only by a plug that authenticated the request with a token in a header (never a cookie):
   * such a request cannot be forged cross-site, so `protectFromForgery` lets it through.
   */
  authenticatedByHeader = false;
  status = 200;
  readonly headers = new Map<string, string | string[]>();
  body: string | Buffer = '';
  #form: Promise<URLSearchParams> | undefined;

  constructor(req: IncomingMessage, baseUrl: string) {
    this.req = req;
    this.method = (req.method ?? 'GET').toUpperCase();
    this.url = new URL(req.url ?? '/', baseUrl);
    this.cookies = parseCookies(req.headers.cookie);
  }

  get path(): string {
    return this.url.pathname;
  }

  assign(key: string, value: unknown): this {
    this.assigns[key] = value;
    return this;
  }

  getSession(key: string): unknown {
    return this.session?.[key];
  }

  putSession(key: string, value: unknown): this {
    this.session = { ...(this.session ?? {}), [key]: value };
    this.sessionChanged = true;
    return this;
  }

  deleteSession(key: string): this {
    if (this.session && key in this.session) {
      const { [key]: _removed, ...rest } = this.session;
      this.session = rest;
      this.sessionChanged = true;
    }
    return this;
  }

  /** Shows `message` under `kind` on this page, or on the next one after a redirect. */
  putFlash(kind: string, message: string): this {
    this.flash = { ...this.flash, [kind]: message };
    return this;
  }

  /** Drops everything in the session (logout): the next `fetchSession` starts afresh. */
  clearSession(): this {
    this.session = {};
    this.sessionChanged = true;
    return this;
  }

  /** The url-encoded form body, read once and bounded by `MAX_FORM_BYTES`. */
  form(): Promise<URLSearchParams> {
    this.#form ??= readForm(this.req);
    return this.#form;
  }

  html(status: number, body: string): this {
    return this.#respond(status, 'text/html; charset=utf-8', body);
  }

  text(status: number, body: string): this {
    return this.#respond(status, 'text/plain; charset=utf-8', body);
  }

  /**
   * Bytes with their content type (an image, say), marked `nosniff` so a browser never reads them
   * as anything else.
   */
  bytes(status: number, contentType: string, body: Buffer): this {
    this.status = status;
    this.headers.set('content-type', contentType);
    this.headers.set('x-content-type-options', 'nosniff');
    this.body = this.method === 'HEAD' ? '' : body;
    return this.halt();
  }

  json(status: number, value: unknown): this {
    return this.#respond(status, 'application/json', JSON.stringify(value));
  }

  #respond(status: number, contentType: string, body: string): this {
    this.status = status;
    this.headers.set('content-type', contentType);
    this.body = body;
    return this.halt();
  }

  redirect(to: string, status = 302): this {
    this.status = status;
    this.headers.set('location', to);
    this.body = '';
    return this.halt();
  }

  addCookie(header: string): this {
    const existing = this.headers.get('set-cookie');
    const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
    this.headers.set('set-cookie', [...list, header]);
    return this;
  }

  halt(): this {
    this.halted = true;
    return this;
  }

  /** Writes the response. */
  sendTo(res: ServerResponse): void {
    res.statusCode = this.status;
    for (const [name, value] of this.headers) res.setHeader(name, value);
    res.end(this.body);
  }
}

/** Runs plugs in order until one halts. */
export async function runPipeline(conn: Conn, plugs: readonly Plug[]): Promise<void> {
  for (const plug of plugs) {
    if (conn.halted) return;
    await plug(conn);
  }
}

export class BodyTooLargeError extends Error {
  constructor() {
    super(`request body exceeds ${MAX_FORM_BYTES} bytes`);
  }
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = req.headers['content-type'] ?? '';
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new BodyTooLargeError();
    chunks.push(chunk as Buffer);
  }
  if (!type.startsWith('application/x-www-form-urlencoded')) return new URLSearchParams();
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
