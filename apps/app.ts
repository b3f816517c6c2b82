// The demo application: counter and clock (liveSession `public`), the blog
// (`authenticated`), the inspector (`admin`), login and logout over HTTP.

import { fileURLToPath } from 'node:url';
import { Router, protectFromForgery, putSecureBrowserHeaders, type LiveServer, type Plug } from 'liveward';
import { Accounts } from './auth/accounts.ts';
import { USER_TOKEN_KEY, createAuthGuards } from './auth/auth-guards.ts';
import { Blog } from './blog/blog.ts';
import { openDatabase, type Db } from './database.ts';
import { postIndexView } from './blog/post-index.ts';
import { postShowView } from './blog/post-show.ts';
import { Avatars } from './blog/avatars.ts';
import { profileView } from './blog/profile.ts';
import { LoginThrottle } from './auth/login-throttle.ts';
import { createSessionController } from './auth/session-controller.ts';
import { Clock } from './demo/clock.ts';
import { Counter } from './demo/counter.ts';
import { DISCONNECT_ACTION, createAdminController } from './inspector/admin-controller.ts';
import { INSPECTOR_BUFFER_EVENTS, InspectorFeed } from './inspector/feed.ts';
import { inspectorView } from './inspector/inspector.ts';

export interface App {
  router: Router;
  /** Plugs for every request. */
  pipeline: Plug[];
  /** The app's browser files (its client hooks), for `createLiveServer({ assets })`. */
  assets: Record<string, string>;
  db: Db;
  accounts: Accounts;
  blog: Blog;
  /**
   * For `createLiveServer({ revalidateSession })`: whether a live socket's cookie session still
   * holds a login session token the database knows (logout deletes it). Anonymous sessions pass.
   */
  revalidateSession(session: Readonly<Record<string, unknown>>): boolean;
  /** Connects the app to the running server (registry, PubSub, runtime events). */
  attach(server: LiveServer): void;
  close(): void;
}

export interface AppOptions {
  dataDir: string;
  /** Runtime events the inspector keeps (its ring buffer); `INSPECTOR_BUFFER_EVENTS` by default. */
  inspectorBufferEvents?: number;
  /** Counts failed logins (memory by default; pass one with a Redis store in a cluster). */
  loginThrottle?: LoginThrottle;
}

export function buildApp(options: AppOptions): App {
  const db = openDatabase(options.dataDir);
  const accounts = new Accounts(db);
  let server: LiveServer | null = null;
  const running = (): LiveServer => {
    if (!server) throw new Error('the app is not attached to a server yet');
    return server;
  };
  const blog = new Blog(db, accounts, () => running().pubsub);
  const auth = createAuthGuards(accounts);
  const sessions = createSessionController(accounts, options.loginThrottle ?? new LoginThrottle(), (id) => running().disconnect(id));
  const avatars = new Avatars(options.dataDir);
  const feed = new InspectorFeed(options.inspectorBufferEvents ?? INSPECTOR_BUFFER_EVENTS);
  const admin = createAdminController((id) => running().disconnect(id));

  const router = new Router();
  router.liveSession('public', {}, (s) => {
    s.live('/counter', Counter);
    s.live('/clock', Clock);
  });
  router.liveSession(
    'authenticated',
    { pipeline: [auth.requireConfirmedUser], onMount: [auth.mountCurrentUser, auth.ensureConfirmedUser] },
    (s) => {
      s.live('/posts', postIndexView(blog));
      s.live('/posts/:id', postShowView(blog, accounts));
      s.live('/profile', profileView(avatars, accounts));
    },
  );
  router.liveSession('admin', { pipeline: [auth.requireAdmin], onMount: [auth.mountCurrentUser, auth.ensureAdmin] }, (s) =>
    s.live('/inspector', inspectorView(feed, accounts)),
  );
  router.get('/', (conn) => void conn.redirect('/counter'));
  router.get('/login', sessions.showLogin);
  router.post('/login', sessions.login);
  router.post('/logout', sessions.logout);
  router.get(
    '/avatars/:id',
    (conn) => {
      const avatar = /^[1-9][0-9]{0,9}$/.test(conn.params.id ?? '') ? avatars.read(Number(conn.params.id)) : null;
      if (avatar) conn.bytes(200, avatar.type, avatar.bytes);
      else conn.text(404, 'Not found');
    },
    [auth.requireConfirmedUser],
  );
  router.post('/admin/disconnect', admin.disconnect, [auth.requireAdminOrToken]);

  return {
    router,
    pipeline: [
      putSecureBrowserHeaders,
      auth.acceptAdminToken(DISCONNECT_ACTION, (token, action) => running().verifyOperatorToken(token, action)),
      protectFromForgery,
      auth.fetchCurrentUser,
    ],
    assets: { '/assets/hooks.js': fileURLToPath(new URL('./assets/hooks.js', import.meta.url)) },
    db,
    accounts,
    blog,
    revalidateSession(session) {
      const token = session[USER_TOKEN_KEY];
      return token === undefined || accounts.getUserBySessionToken(token) !== null;
    },
    attach(live) {
      server = live;
      feed.attach(live);
    },
    close() {
      feed.detach();
      db.close();
    },
  };
}
