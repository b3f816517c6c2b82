// `/posts/:id`: one post. Editors get the form; `update_post` is declared `editorsOnly`, so a
// reader's event is denied before the handler runs, and the Blog context checks once more.
// Updates are broadcast, so every open view of the post re-renders. Below the post, its comments,
// one `comment-row` component each; new and deleted comments arrive by the same broadcast.

import { allow, defineView, html, liveComponent } from '../../runtime/index.ts';
import type { Accounts, User } from './accounts.ts';
import { signedInPolicy } from './auth.ts';
import { MAX_COMMENT, isEditor, postTopic, type Blog, type Comment, type Post, type PostMessage } from './blog.ts';
import { commentRow } from './comment-row.ts';
import { userBar } from './user-bar.ts';

interface PostShowAssigns {
  currentUser: User;
  csrfToken: string;
  post: Post;
  canEdit: boolean;
  error: string | null;
  saved: boolean;
  comments: Comment[];
  commentError: string | null;
}

export function postShowView(blog: Blog, accounts: Accounts) {
  // The policy has just read the user by their login session: the rule needs no second read.
  const editorsOnly = signedInPolicy<PostShowAssigns>('editorsOnly', accounts, isEditor);
  const confirmedUsers = signedInPolicy<PostShowAssigns>('confirmedUsers', accounts, (user) => user.confirmed);
  const CommentRow = commentRow(blog, accounts);

  return defineView<PostShowAssigns>({
    name: 'post-show',
    mount(params, _session, socket) {
      const post = blog.getPostForUser(socket.assigns.currentUser, Number(params.id));
      if (!post) {
        socket.redirect('/posts');
        return;
      }
      socket.assign({
        post,
        canEdit: isEditor(socket.assigns.currentUser),
        error: null,
        saved: false,
        comments: blog.listComments(socket.assigns.currentUser, post.id),
        commentError: null,
      });
      socket.setPageTitle(post.title);
      if (socket.connected) socket.subscribe(postTopic(post.id));
    },
    handleEvent: {
      add_comment: allow(confirmedUsers, (value, socket) => {
        // The new row reaches this view as it reaches every other: through the broadcast.
        const result = blog.addComment(socket.assigns.currentUser, socket.assigns.post, value);
        socket.assign({ commentError: result.ok ? null : result.message });
      }),
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
      } else if (msg?.type === 'comment_added' && msg.comment.postId === socket.assigns.post.id) {
        if (!socket.assigns.comments.some((c) => c.id === msg.comment.id)) {
          socket.assign({ comments: [...socket.assigns.comments, msg.comment] });
        }
      } else if (msg?.type === 'comment_deleted' && msg.postId === socket.assigns.post.id) {
        socket.assign({ comments: socket.assigns.comments.filter((c) => c.id !== msg.commentId) });
      }
    },
    render: ({ currentUser, csrfToken, post, canEdit, error, saved, comments, commentError }) => html`${userBar(currentUser, csrfToken)}
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
  <section class="comments">
    <h2>Comments</h2>
    <ul id="comments">${comments.map((comment) => liveComponent(CommentRow, { id: comment.id, comment, currentUser }))}</ul>
    <form id="comment-form" phx-submit="add_comment">
      <label>Comment <textarea id="comment-body" name="body" maxlength="${MAX_COMMENT}"></textarea></label>
      <button id="add-comment" type="submit">Add comment</button>
      ${commentError ? html`<p id="comment-error" class="error">${commentError}</p>` : ''}
    </form>
  </section>
  <p><a id="to-posts" href="/posts" data-phx-link="redirect" data-phx-link-state="push">All posts</a></p>
</main>`,
  });
}
