// `/posts`: the list of posts. Links navigate live to `/posts/:id` (same liveSession); the link to
// the counter crosses into another liveSession, so the client falls back to HTTP.

import { defineView, html, keyed, type Flash } from 'liveward';
import { flashGroup } from '../flash-group.ts';
import type { User } from '../auth/accounts.ts';
import type { Blog, Post } from './blog.ts';
import { userBar } from '../auth/user-bar.ts';

interface PostIndexAssigns {
  currentUser: User;
  csrfToken: string;
  posts: Post[];
  flash: Flash;
}

export function postIndexView(blog: Blog) {
  return defineView<PostIndexAssigns>({
    name: 'post-index',
    mount(_params, _session, socket) {
      socket.assign({ posts: blog.listPosts(socket.assigns.currentUser) });
      socket.setPageTitle('Posts');
    },
    render: ({ currentUser, csrfToken, posts, flash }) => html`${userBar(currentUser, csrfToken)}${flashGroup(flash)}
<main class="posts">
  <h1>Posts</h1>
  <ul id="posts">${posts.map((post) =>
    keyed(
      post.id,
      html`<li><a id="post-link-${post.id}" href="/posts/${post.id}" data-phx-link="redirect" data-phx-link-state="push">${post.title}</a></li>`,
    ),
  )}</ul>
  <p><a id="to-counter" href="/counter" data-phx-link="redirect" data-phx-link-state="push">Counter (another liveSession)</a></p>
</main>`,
  });
}
