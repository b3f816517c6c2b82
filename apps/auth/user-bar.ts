// The signed-in user's bar with the logout form (a CSRF-protected POST).

import { html, type Rendered } from 'liveward';
import type { User } from './accounts.ts';

/** `csrfToken` is a masked token of the session (assigned by the auth hook), never the secret. */
export function userBar(user: User | null, csrfToken: string): Rendered {
  if (!user) return html`<nav class="user-bar"><a href="/login">Log in</a></nav>`;
  return html`<nav class="user-bar">
  <span><span id="current-user">${user.email}</span> (<span id="current-role">${user.role}</span>)</span>
  <a href="/posts">Posts</a>
  <a id="to-profile" href="/profile">Profile</a>
  ${user.role === 'admin' ? html`<a id="to-inspector" href="/inspector">Inspector</a>` : ''}
  <form id="logout-form" method="post" action="/logout">
    <input type="hidden" name="_csrf_token" value="${csrfToken}">
    <button id="logout" type="submit">Log out</button>
  </form>
</nav>`;
}
