// `/posts/:id`: one post. Editors get the form; `update_post` is declared `editorsOnly`, so a
// reader's event is denied before the handler runs, and the Blog context checks once more.
// Updates are broadcast, so every open view of the post re-renders.

import { allow, defineView, html } from 'liveward';
import type { Accounts, User } from './accounts.ts';
import { signedInPolicy } from './auth.ts';
import { isEditor, postTopic, type Blog, type Post, type PostMessage } from './blog.ts';
import { userBar } from './user-bar.ts';

interface PostShowAssigns {
  currentUser: User;
  csrfToken: string;
  post: Post;
  canEdit: boolean;
  error: string | null;
  saved: boolean;
}

export function postShowView(blog: Blog, accounts: Accounts) {
  // The policy has just read the user by their login session: the rule needs no second read.
  const editorsOnly = signedInPolicy<PostShowAssigns>('editorsOnly', accounts, isEditor);

  return defineView<PostShowAssigns>({
    name: 'post-show',
    mount(params, _session, socket) {
      const post = blog.getPostForUser(socket.assigns.currentUser, Number(params.id));
      if (!post) {
        socket.redirect('/posts');
        return;
      }
      socket.assign({ post, canEdit: isEditor(socket.assigns.currentUser), error: null, saved: false });
      socket.setPageTitle(post.title);
      if (socket.connected) socket.subscribe(postTopic(post.id));
    },
    handleEvent: {
      update_post: allow(editorsOnly, (value, socket) => {
        const result = blog.updatePost(socket.assigns.currentUser, socket.assigns.post, value);
        if (result.ok) {
          socket.assign({ post: result.post, error: null, saved: true });
          socket.setPageTitle(result.post.title);
        } else {
          socket.assign({ error: result.message, saved: false });
        }
      }),
    },
    handleInfo(message, socket) {
      const msg = message as PostMessage;
      if (msg?.type === 'post_updated' && msg.post.id === socket.assigns.post.id) {
        socket.assign({ post: msg.post });
        socket.setPageTitle(msg.post.title);
      }
    },
    render: ({ currentUser, csrfToken, post, canEdit, error, saved }) => html`${userBar(currentUser, csrfToken)}
<main class="post">
  <article>
    <h1 id="title">${post.title}</h1>
    <div id="body">${post.body}</div>
    <p class="meta">Updated <time id="updated-at">${post.updatedAt}</time></p>
  </article>
  ${canEdit
    ? html`<form id="post-form" phx-submit="update_post">
    <label>Title <input id="post-title" name="title" value="${post.title}" maxlength="200"></label>
    <label>Body <textarea id="post-body" name="body">${post.body}</textarea></label>
    <button id="save" type="submit">Save</button>
    ${error ? html`<p id="form-error" class="error">${error}</p>` : ''}
    ${saved ? html`<p id="saved" class="notice">Saved.</p>` : ''}
  </form>`
    : ''}
  <p><a id="to-posts" href="/posts" data-phx-link="redirect" data-phx-link-state="push">All posts</a></p>
</main>`,
  });
}
