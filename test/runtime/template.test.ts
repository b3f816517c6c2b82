import { describe, expect, it } from 'vitest';
import { Keyed, Rendered, SafeHtml, escapeHtml, html, keyed, leafToString, raw, renderToString } from '../../runtime/template.ts';

const greeting = (name: unknown) => html`<p>Hello ${name}!</p>`;
const other = (name: unknown) => html`<p>Hello ${name}!</p>`;

describe('html', () => {
  it('returns the template strings as statics and the values as dynamics', () => {
    const rendered = html`<a href="${'/x'}">${1}</a>`;
    expect(rendered).toBeInstanceOf(Rendered);
    expect([...rendered.statics]).toEqual(['<a href="', '">', '</a>']);
    expect(rendered.dynamics).toEqual(['/x', 1]);
  });

  it('shares one statics object between renders of the same call site', () => {
    expect(greeting('a').statics).toBe(greeting('b').statics);
  });

  it('gives identical text at another call site different statics', () => {
    expect([...other('a').statics]).toEqual([...greeting('a').statics]);
    expect(other('a').statics).not.toBe(greeting('a').statics);
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML-special characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('returns text without special characters unchanged', () => {
    expect(escapeHtml('plain text ünïcödé')).toBe('plain text ünïcödé');
  });

  it('escapes an ampersand that already starts an entity', () => {
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });
});

describe('leafToString', () => {
  it('renders null, undefined and false as nothing', () => {
    expect(leafToString(null)).toBe('');
    expect(leafToString(undefined)).toBe('');
    expect(leafToString(false)).toBe('');
  });

  it('renders numbers as their string form', () => {
    expect(leafToString(0)).toBe('0');
    expect(leafToString(-1.5)).toBe('-1.5');
    expect(leafToString(10n)).toBe('10');
  });

  it('escapes strings', () => {
    expect(leafToString('<b>')).toBe('&lt;b&gt;');
  });

  it('leaves SafeHtml unescaped', () => {
    expect(leafToString(raw('<b>'))).toBe('<b>');
  });

  it('escapes the string form of other objects', () => {
    expect(leafToString({ toString: () => '<x>' })).toBe('&lt;x&gt;');
  });
});

describe('raw', () => {
  it('wraps trusted html in SafeHtml', () => {
    const safe = raw('<hr>');
    expect(safe).toBeInstanceOf(SafeHtml);
    expect(safe.html).toBe('<hr>');
    expect(String(safe)).toBe('<hr>');
  });
});

describe('keyed', () => {
  it('pairs a key with a rendered row', () => {
    const row = greeting('a');
    const entry = keyed(7, row);
    expect(entry).toBeInstanceOf(Keyed);
    expect(entry.key).toBe(7);
    expect(entry.rendered).toBe(row);
  });
});

describe('renderToString', () => {
  it('interleaves statics and dynamics', () => {
    expect(renderToString(greeting('world'))).toBe('<p>Hello world!</p>');
  });

  it('escapes a script tag in text position', () => {
    expect(renderToString(greeting('<script>alert(1)</script>'))).toBe('<p>Hello &lt;script&gt;alert(1)&lt;/script&gt;!</p>');
  });

  it('escapes quotes and ampersands in attribute position', () => {
    const value = `" onmouseover="alert('x')" a="&`;
    expect(renderToString(html`<input value="${value}">`)).toBe(
      '<input value="&quot; onmouseover=&quot;alert(&#39;x&#39;)&quot; a=&quot;&amp;">',
    );
    expect(renderToString(html`<input value='${value}'>`)).toBe(
      "<input value='&quot; onmouseover=&quot;alert(&#39;x&#39;)&quot; a=&quot;&amp;'>",
    );
  });

  it('does not escape raw() html', () => {
    expect(renderToString(greeting(raw('<b>you</b>')))).toBe('<p>Hello <b>you</b>!</p>');
  });

  it('renders numbers as strings', () => {
    expect(renderToString(html`<i>${0}</i><i>${42}</i><i>${3.5}</i>`)).toBe('<i>0</i><i>42</i><i>3.5</i>');
  });

  it('renders null, undefined and false as nothing', () => {
    expect(renderToString(html`<i>${null}</i><i>${undefined}</i><i>${false}</i>`)).toBe('<i></i><i></i><i></i>');
  });

  it('renders nested templates without escaping them', () => {
    expect(renderToString(html`<div>${greeting(html`<b>${'<x>'}</b>`)}</div>`)).toBe('<div><p>Hello <b>&lt;x&gt;</b>!</p></div>');
  });

  it('renders a list of templates as their concatenation', () => {
    const rows = ['a', 'b<'].map((x) => html`<li>${x}</li>`);
    expect(renderToString(html`<ul>${rows}</ul>`)).toBe('<ul><li>a</li><li>b&lt;</li></ul>');
  });

  it('renders keyed rows', () => {
    const rows = [keyed('x', html`<li>${1}</li>`), keyed(2, html`<li>${2}</li>`)];
    expect(renderToString(html`<ul>${rows}</ul>`)).toBe('<ul><li>1</li><li>2</li></ul>');
  });

  it('renders an empty list as nothing', () => {
    expect(renderToString(html`<ul>${[]}</ul>`)).toBe('<ul></ul>');
  });

  it('renders arrays of mixed and nested values without separators', () => {
    expect(renderToString(['a', null, [1, ['<']], false, raw('<br>')])).toBe('a1&lt;<br>');
  });

  it('renders a bare leaf value', () => {
    expect(renderToString('<&>')).toBe('&lt;&amp;&gt;');
  });
});

describe('Rendered', () => {
  describe('#toString', () => {
    it('returns the rendered html', () => {
      const rendered = greeting('<you>');
      expect(rendered.toString()).toBe('<p>Hello &lt;you&gt;!</p>');
      expect(`${rendered}`).toBe(renderToString(rendered));
    });
  });
});
