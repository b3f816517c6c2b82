import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isUsedInput, toForm, validateForm } from '../../runtime/form.ts';
import { decodeEventValue } from '../../runtime/event-value.ts';
import { html, renderToString } from '../../runtime/template.ts';

/** A form change as the official client sends it, decoded as the runtime does. */
function change(encoded: string, target: string): Record<string, unknown> {
  return decodeEventValue({ type: 'form', event: 'validate', value: encoded, meta: { _target: target }, uploads: {} });
}

const schemas = {
  zod: z.object({ title: z.string().trim().min(1, 'blank').max(10, 'too long'), body: z.string().max(5, 'body too long') }),
  valibot: v.object({
    title: v.pipe(v.string(), v.trim(), v.minLength(1, 'blank'), v.maxLength(10, 'too long')),
    body: v.pipe(v.string(), v.maxLength(5, 'body too long')),
  }),
};

describe.each(Object.entries(schemas))('validateForm with %s', (_name, schema) => {
  it('shows an error only for the field the user used', async () => {
    // The user typed into the title; the body was never focused.
    const form = await validateForm(schema, change('title=&body=toolongbody&_unused_body=', 'title'));
    expect(form.valid).toBe(false);
    expect(form.field('title')).toMatchObject({ name: 'title', id: 'title', value: '', used: true, errors: ['blank'] });
    expect(form.field('body')).toMatchObject({ value: 'toolongbody', used: false, errors: [] });
    expect(form.errorsOf('body')).toEqual(['body too long']);
  });

  it('shows every error on submit, when the client marks no field unused', async () => {
    const form = await validateForm(schema, decodeEventValue({ type: 'form', event: 'save', value: 'title=&body=toolongbody', meta: {} }));
    expect(form.field('title').errors).toEqual(['blank']);
    expect(form.field('body').errors).toEqual(['body too long']);
  });

  it('gives the validated output when valid, without the client bookkeeping', async () => {
    const form = await validateForm(schema, change('title=++Hello++&body=hi&_unused_body=', 'title'));
    expect(form.valid).toBe(true);
    expect(form.data).toEqual({ title: 'Hello', body: 'hi' });
    expect(form.field('title').value).toBe('  Hello  ');
  });

  it('reads a namespaced form with `as`', async () => {
    const form = await validateForm(schema, change('post[title]=&post[body]=ok', 'post[title]'), { as: 'post' });
    expect(form.field('title')).toMatchObject({ name: 'post[title]', id: 'post_title', errors: ['blank'] });
    expect(form.field('body').used).toBe(true);
  });

  it('validates a value of the wrong shape without throwing', async () => {
    const form = await validateForm(schema, change('title[a][b]=1&title[]=2&__proto__[x]=1', 'title'));
    expect(form.valid).toBe(false);
    expect(form.field('title').value).toBe('');
    expect(({} as { x?: unknown }).x).toBeUndefined();
  });

  it('validates a JSON event value nested deeper than the stack without throwing', async () => {
    // What fits in one 64 KiB frame: `{"a":` 12,000 times.
    let deep: unknown = 'x';
    for (let i = 0; i < 12_000; i++) deep = { a: deep };
    const form = await validateForm(schema, { title: 'ok', body: 'ok', deep });
    expect(form.valid).toBe(true);
  });
});

describe('toForm', () => {
  it('shows the data with nothing used and no errors', () => {
    const form = toForm({ title: 'Hello', count: 3 });
    expect(form.field('title')).toEqual({ name: 'title', id: 'title', value: 'Hello', used: false, errors: [] });
    expect(form.field('count').value).toBe('3');
    expect(form.field('missing').value).toBe('');
  });

  it('renders values and errors escaped', async () => {
    const form = await validateForm(schemas.zod, change('title=%22%3E%3Cscript%3Ex%3C%2Fscript%3E&body=%3Cb%3E', 'title'));
    const title = form.field('title');
    const out = renderToString(html`<input name="${title.name}" value="${title.value}">${title.errors.map((e) => html`<p>${e}</p>`)}`);
    expect(out).toContain('value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"');
    expect(out).not.toContain('<script>');
  });

  it('refuses a field name that is not one', () => {
    expect(() => toForm({}).field('')).toThrow(TypeError);
  });
});

describe('isUsedInput', () => {
  it('is true for a field sent without its _unused_ marker, as Phoenix used_input?', () => {
    expect(isUsedInput({ title: 'a' }, 'title')).toBe(true);
    expect(isUsedInput({ title: 'a', _unused_title: '' }, 'title')).toBe(false);
    expect(isUsedInput({}, 'title')).toBe(false);
    expect(isUsedInput({ user: { email: '', _unused_email: '' }, _target: ['user', 'name'] }, 'user[email]')).toBe(false);
    expect(isUsedInput({ tags: ['a'], _unused_tags: [''] }, 'tags')).toBe(false);
  });
});
