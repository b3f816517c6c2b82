// The route table, through its public surface: which live route and params a path gets (first
// declared wins, path params decoded), which liveSession each route belongs to, where a patch may
// go, which method an HTTP path answers, and that hostile paths match nothing rather than throw.

import { describe, expect, it } from 'vitest';
import { Router } from '../../runtime/router.ts';
import { cont } from '../../runtime/live-session.ts';
import { defineView } from '../../runtime/live-view.ts';
import { html } from '../../runtime/template.ts';
import type { Handler } from '../../runtime/http/conn.ts';

const view = (name: string) => defineView({ name, render: () => html`<p>${name}</p>` });
const PostIndex = view('post-index');
const PostNew = view('post-new');
const PostShow = view('post-show');
const Comment = view('comment');
const Counter = view('counter');
const Login = view('login');
const ok: Handler = () => {};
const guard = () => cont();

function blogRouter(): Router {
  return new Router()
    .liveSession('authenticated', { onMount: [guard] }, (s) => {
      s.live('/posts', PostIndex);
      // Declared before `/posts/:id`, so `/posts/new` is this view and never a post with id "new".
      s.live('/posts/new', PostNew);
      s.live('/posts/:id', PostShow);
      s.live('/posts/:postId/comments/:id', Comment);
    })
    .liveSession('public', {}, (s) => s.live('/login', Login))
    .live('/counter', Counter)
    .get('/health', ok)
    .post('/session', ok);
}

describe('Router.matchLive', () => {
  const router = blogRouter();

  it('matches a static path to its view, with no params', () => {
    const match = router.matchLive('/posts');
    expect(match?.route.view).toBe(PostIndex);
    expect(match?.params).toEqual({});
  });

  it('binds path params by name, decoded', () => {
    expect(router.matchLive('/posts/42')?.params).toEqual({ id: '42' });
    expect(router.matchLive('/posts/7/comments/9')).toMatchObject({ route: { view: Comment }, params: { postId: '7', id: '9' } });
    expect(router.matchLive('/posts/caf%C3%A9%20au%20lait')?.params).toEqual({ id: 'café au lait' });
    // An encoded slash is one param, never two segments.
    expect(router.matchLive('/posts/a%2Fb')).toMatchObject({ route: { view: PostShow }, params: { id: 'a/b' } });
  });

  it('takes the first route declared when two could match', () => {
    expect(router.matchLive('/posts/new')?.route.view).toBe(PostNew);
    expect(router.matchLive('/posts/newer')?.route.view).toBe(PostShow);
  });

  it('needs every segment to match: no prefix, no extra segment', () => {
    expect(router.matchLive('/')).toBeNull();
    expect(router.matchLive('/post')).toBeNull();
    expect(router.matchLive('/posts/1/edit')).toBeNull();
    expect(router.matchLive('/posts/1/comments')).toBeNull();
    expect(router.matchLive('/health')).toBeNull(); // an HTTP route, not a live one
  });

  it('matches nothing (and does not throw) for hostile paths', () => {
    // A malformed escape cannot be decoded: no route, rather than an exception in the request.
    expect(router.matchLive('/posts/%E0%A4%A')).toBeNull();
    expect(router.matchLive('/posts/%')).toBeNull();
    // Dot segments are not resolved by the router: `/posts/../login` is not `/login`.
    expect(router.matchLive('/posts/../login')).toBeNull();
    expect(router.matchLive('/posts/%2e%2e/login')).toBeNull();
    // Whatever a param decodes to stays a param value, for the view to validate.
    expect(router.matchLive('/posts/%00')?.params).toEqual({ id: '\0' });
    expect(router.matchLive('/posts/' + 'x'.repeat(10_000))?.params.id).toHaveLength(10_000);
  });

  it('ignores empty segments, as a browser-normalised URL would have none', () => {
    expect(router.matchLive('/posts/')?.route.view).toBe(PostIndex);
    expect(router.matchLive('//posts//42')?.params).toEqual({ id: '42' });
  });
});

describe('Router live sessions', () => {
  it("puts each route in the liveSession it was declared in, with that session's hooks", () => {
    const router = blogRouter();
    const show = router.matchLive('/posts/1')!.route;
    const index = router.matchLive('/posts')!.route;
    const login = router.matchLive('/login')!.route;

    expect(show.liveSession.name).toBe('authenticated');
    expect(show.liveSession).toBe(index.liveSession);
    expect(show.liveSession.onMount).toEqual([guard]);
    expect(login.liveSession.name).toBe('public');
    expect(login.liveSession.onMount).toEqual([]);
  });

  it('puts routes declared outside any liveSession in one shared "default" session', () => {
    const router = new Router().live('/a', view('a')).live('/b', view('b'));
    const a = router.matchLive('/a')!.route;
    const b = router.matchLive('/b')!.route;
    expect(a.liveSession.name).toBe('default');
    expect(b.liveSession).toBe(a.liveSession);
  });

  it('refuses a liveSession declared twice', () => {
    const router = new Router().liveSession('x', {}, () => {});
    expect(() => router.liveSession('x', {}, () => {})).toThrow(/declared twice/);
  });

  it('refuses two different views under one name (a view token names its view)', () => {
    const router = new Router().live('/one', view('same'));
    expect(() => router.live('/two', view('same'))).toThrow(TypeError);
    // The same view at two paths is fine.
    const shared = view('shared');
    expect(() => new Router().live('/x', shared).live('/y/:id', shared)).not.toThrow();
  });

  it('refuses a route path that does not start with "/"', () => {
    expect(() => new Router().live('posts', view('p'))).toThrow(/must start with "\/"/);
    expect(() => new Router().get('health', ok)).toThrow(TypeError);
  });
});

describe('Router.matchLiveUrl and matchPatch', () => {
  const router = blogRouter();
  const base = 'http://localhost';

  it('merges the query string into the params, path params winning', () => {
    const match = router.matchLiveUrl(new URL('/posts/5?sort=new&id=evil&sort=old', base));
    expect(match?.params).toEqual({ id: '5', sort: 'new' });
  });

  it('keeps a query parameter whose name is also an Object.prototype property', () => {
    const match = router.matchLiveUrl(new URL('/posts?constructor=a&toString=b&valueOf=c&hasOwnProperty=d', base));
    expect(match?.params).toEqual({ constructor: 'a', toString: 'b', valueOf: 'c', hasOwnProperty: 'd' });
    const proto = router.matchLiveUrl(new URL('/posts/1?__proto__=x', base))!.params;
    // biome-ignore lint/suspicious/noProto: the test is that a query parameter named __proto__ is an own key
    // biome-ignore lint/complexity/useLiteralKeys: written as a string key, the own key named __proto__ is plainly meant
    expect(Object.hasOwn(proto, '__proto__') && proto['__proto__']).toBe('x');
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
  });

  it('lets a patch stay on its route with new params', () => {
    const route = router.matchLive('/posts/1')!.route;
    expect(router.matchPatch(route, new URL('/posts/2?tab=comments', base))).toEqual({ id: '2', tab: 'comments' });
  });

  it('refuses a patch that would leave the view, even to another view of the same liveSession', () => {
    const route = router.matchLive('/posts/1')!.route;
    expect(router.matchPatch(route, new URL('/posts', base))).toBeNull();
    expect(router.matchPatch(route, new URL('/login', base))).toBeNull();
    expect(router.matchPatch(route, new URL('/nowhere', base))).toBeNull();
    // `/posts/new` is another route (and view), although `/posts/:id` would match it on its own.
    expect(router.matchPatch(route, new URL('/posts/new', base))).toBeNull();
  });
});

describe('Router HTTP routes', () => {
  const router = blogRouter();

  it('matches by method and path', () => {
    expect(router.matchHttp('GET', '/health')?.route.handler).toBe(ok);
    expect(router.matchHttp('POST', '/session')?.route.method).toBe('POST');
    expect(router.matchHttp('POST', '/health')).toBeNull();
    expect(router.matchHttp('GET', '/posts')).toBeNull(); // live routes are not HTTP routes
    expect(router.matchHttp('get', '/health')).toBeNull(); // methods are matched as sent
  });

  it('knows a path served by another method (for 405), and live paths', () => {
    expect(router.hasPath('/session')).toBe(true);
    expect(router.hasPath('/posts/3')).toBe(true);
    expect(router.hasPath('/unknown')).toBe(false);
    expect(router.hasPath('/posts/%E0%A4%A')).toBe(false);
  });
});
