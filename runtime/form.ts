// A form's state for rendering: the values to show, the errors a Standard Schema validator (zod,
// valibot, arktype…) found, and which fields the user has used. The official client sends
// `_unused_<field>` beside every input the user has not focused yet (never on submit), so an
// error is shown only for a field the user touched, as Phoenix's `used_input?` decides.

import type { StandardSchemaV1 } from '@standard-schema/spec';
import { MAX_PARAM_DEPTH, isForbiddenKey, parseParamName } from './form-params.ts';

const UNUSED_PREFIX = '_unused_';
const NO_ERRORS: readonly string[] = Object.freeze([]);

/** One field of a `LiveForm`, ready to render (values are escaped by `html` like any other). */
export interface FormField {
  /** The input's `name` (`title`, or `post[title]` for a form built with `as: 'post'`). */
  readonly name: string;
  /** A DOM id for the input (`title`, `post_title`). */
  readonly id: string;
  /** The value to show: what the user typed, else the initial data; `''` when absent. */
  readonly value: string;
  /** True once the user focused the field or submitted the form. */
  readonly used: boolean;
  /** The validator's messages for this field, only once it is used (else empty). */
  readonly errors: readonly string[];
}

export interface FormOptions {
  /** The params namespace: `as: 'post'` reads `value.post` and names inputs `post[title]`. */
  as?: string;
}

/**
 * A form to render. Build it with `toForm(data)` in `mount`, and with `validateForm(schema,
 * value)` in the `phx-change` and `phx-submit` handlers.
 *
 * @example
 *   const title = form.field('title');
 *   html`<input id="${title.id}" name="${title.name}" value="${title.value}">
 *        ${title.errors.map((e) => html`<p class="error">${e}</p>`)}`
 */
export class LiveForm<T = Record<string, unknown>> {
  readonly as: string | null;
  /** The params as sent by the client (with its `_unused_` markers); empty for `toForm` data. */
  readonly params: Readonly<Record<string, unknown>>;
  /** False when the validator reported issues. */
  readonly valid: boolean;
  /** The validator's output when valid (`undefined` otherwise, and for `toForm` data). */
  readonly data: T | undefined;
  /** Issues that belong to no field (the form as a whole). */
  readonly errors: readonly string[];
  readonly #values: Readonly<Record<string, unknown>>;
  readonly #fieldErrors: ReadonlyMap<string, readonly string[]>;

  /** @internal Use `toForm` or `validateForm`. */
  constructor(init: {
    as: string | null;
    params: Record<string, unknown>;
    values: Record<string, unknown>;
    valid: boolean;
    data: T | undefined;
    errors: readonly string[];
    fieldErrors: ReadonlyMap<string, readonly string[]>;
  }) {
    this.as = init.as;
    this.params = init.params;
    this.#values = init.values;
    this.valid = init.valid;
    this.data = init.data;
    this.errors = init.errors;
    this.#fieldErrors = init.fieldErrors;
  }

  /** The field `name` (`title`, or `address[city]` for a nested one). */
  field(name: string): FormField {
    const path = fieldPath(name);
    const used = isUsedPath(this.params, path);
    const raw = valueAt(this.#values, path);
    const value = typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : '';
    const full = this.as === null ? path : [this.as, ...path];
    return {
      name:
        full[0] +
        full
          .slice(1)
          .map((key) => `[${key}]`)
          .join(''),
      id: full.join('_'),
      value,
      used,
      errors: used ? (this.#fieldErrors.get(pathKey(path)) ?? NO_ERRORS) : NO_ERRORS,
    };
  }

  /** Every message for the field `name`, used or not (for a check before saving, say). */
  errorsOf(name: string): readonly string[] {
    return this.#fieldErrors.get(pathKey(fieldPath(name))) ?? NO_ERRORS;
  }
}

/**
 * A form showing `data` (a record being edited), with no field used and no errors.
 *
 * @example
 *   socket.assign({ form: toForm({ title: post.title, body: post.body }) });
 */
export function toForm<T extends Record<string, unknown>>(data: T, options: FormOptions = {}): LiveForm<T> {
  return new LiveForm<T>({
    as: options.as ?? null,
    params: {},
    values: data,
    valid: true,
    data: undefined,
    errors: NO_ERRORS,
    fieldErrors: new Map(),
  });
}

/**
 * Validates a form event's value against any Standard Schema validator. The validator sees the
 * params without the client's bookkeeping (`_target`, `_unused_…`); the form keeps them, so
 * `field(name).errors` is empty for a field the user has not used yet.
 *
 * @example
 *   validate_post: allow(editorsOnly, async (value, socket) => {
 *     socket.assign({ form: await validateForm(PostSchema, value) });
 *   }),
 */
export async function validateForm<S extends StandardSchemaV1>(
  schema: S,
  value: Record<string, unknown>,
  options: FormOptions = {},
): Promise<LiveForm<StandardSchemaV1.InferOutput<S>>> {
  const as = options.as ?? null;
  const scoped = as === null ? value : value[as];
  const params = isRecord(scoped) ? scoped : {};
  const result = await schema['~standard'].validate(withoutMarkers(params, 0));
  const errors: string[] = [];
  const fieldErrors = new Map<string, string[]>();
  for (const issue of result.issues ?? []) {
    const path = (issue.path ?? []).map((segment) => String(typeof segment === 'object' ? segment.key : segment));
    if (path.length === 0) {
      errors.push(issue.message);
      continue;
    }
    const key = pathKey(path);
    const list = fieldErrors.get(key);
    if (list) list.push(issue.message);
    else fieldErrors.set(key, [issue.message]);
  }
  return new LiveForm({
    as,
    params,
    values: params,
    valid: result.issues === undefined,
    data: result.issues === undefined ? (result as StandardSchemaV1.SuccessResult<StandardSchemaV1.InferOutput<S>>).value : undefined,
    errors,
    fieldErrors,
  });
}

/**
 * Phoenix's `used_input?`: the field is in `params` and the client did not mark it
 * `_unused_<field>` (it sends that for an input never focused, and never on submit).
 *
 * @example
 *   isUsedInput({ title: '', _unused_title: '' }, 'title') // false
 */
export function isUsedInput(params: Readonly<Record<string, unknown>>, field: string): boolean {
  return isUsedPath(params, fieldPath(field));
}

function isUsedPath(params: Readonly<Record<string, unknown>>, path: readonly string[]): boolean {
  const parent = valueAt(params, path.slice(0, -1));
  const last = path.at(-1);
  if (!isRecord(parent) || last === undefined) return false;
  return Object.hasOwn(parent, last) && !Object.hasOwn(parent, UNUSED_PREFIX + last);
}

/**
 * The params a validator should see: no `_target` at the top, no `_unused_…` markers anywhere.
 * A form decodes to at most MAX_PARAM_DEPTH levels, so no marker lies deeper; a JSON event value
 * nested deeper (up to what fits in a frame) is handed over below that depth as it is, rather
 * than walked until the stack runs out.
 */
function withoutMarkers(value: unknown, depth: number): unknown {
  if (depth > MAX_PARAM_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => withoutMarkers(item, depth + 1));
  if (!isRecord(value)) return value;
  const clean: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (key.startsWith(UNUSED_PREFIX) || (depth === 0 && key === '_target') || isForbiddenKey(key)) continue;
    clean[key] = withoutMarkers(value[key], depth + 1);
  }
  return clean;
}

function fieldPath(name: string): string[] {
  const path = parseParamName(name).filter((segment) => segment !== '');
  if (path.length === 0) throw new TypeError(`not a field name: ${JSON.stringify(name)}`);
  return path;
}

function pathKey(path: readonly string[]): string {
  return path.join('\u0000');
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) {
    if (!isRecord(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
