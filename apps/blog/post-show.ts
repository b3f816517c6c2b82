// `/posts/:id`: one post. Editors get the form, validated while they type (`validate_post`) with
// an error shown only for a field they used; `update_post` is declared `editorsOnly`, so a
// reader's event is denied before the handler runs, and the Blog context checks once more.
// Updates are broadcast, so every open view of the post re-renders. Below the post, its comments
// as a stream (`#comments`), one `comment-row` component each: new and deleted comments arrive by
// the same broadcast and go out as a stream insert or delete, never as a re-rendered list, and
// the view keeps no list of comments.

import { allow, defineView, html, liveComponent, toForm, validateForm, type Flash, type LiveForm, type Streams } from 'liveward';
import type { Accounts, User } from '../auth/accounts.ts';
import { signedInPolicy } from '../auth/auth-guards.ts';
import { MAX_COMMENT, isEditor, postTopic, type Blog, type Comment, type Post, type PostMessage } from './blog.ts';
import { commentDomId, commentRow } from './comment-row.ts';
import { PostSchema, type PostInput } from './post-schema.ts';
import { CommentSchema, type CommentInput } from './comment-schema.ts';
import { userBar } from '../auth/user-bar.ts';
import { flashGroup } from '../flash-group.ts';

interface PostShowAssigns {
  currentUser: User;
  csrfToken: string;
  post: Post;
  canEdit: boolean;
  form: LiveForm<PostInput>;
  flash: Flash;
  streams: Streams<{ comments: Comment }>;
  commentForm: LiveForm<CommentInput>;
}

const formOf = (post: Post): LiveForm<PostInput> => toForm({ title: post.title, body: post.body });
const emptyCommentForm = (): LiveForm<CommentInput> => toForm({ body: '' });

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
        form: formOf(post),
        commentForm: emptyCommentForm(),
      });
      socket.stream('comments', blog.listComments(socket.assigns.currentUser, post.id));
      socket.setPageTitle(post.title);
      if (socket.connected) socket.subscribe(postTopic(post.id));
    },
    handleEvent: {
      validate_comment: allow(confirmedUsers, async (value, socket) => {
        socket.assign({ commentForm: await validateForm(CommentSchema, value) });
      }),
      add_comment: allow(confirmedUsers, async (value, socket) => {
        const commentForm = await validateForm(CommentSchema, value);
        if (!commentForm.valid || !commentForm.data) {
          socket.assign({ commentForm });
          return;
        }
        // The new row reaches this view as it reaches every other: through the broadcast.
        const result = blog.addComment(socket.assigns.currentUser, socket.assigns.post, { ...commentForm.data });
        if (result.ok) socket.assign({ commentForm: emptyCommentForm() });
        else socket.putFlash('error', result.message);
      }),
      // Also what the client sends on a reconnect to restore what the editor had typed.
      validate_post: allow(editorsOnly, async (value, socket) => {
        socket.assign({ form: await validateForm(PostSchema, value) });
      }),
      update_post: allow(editorsOnly, async (value, socket) => {
        const form = await validateForm(PostSchema, value);
        if (!form.valid || !form.data) {
          socket.assign({ form });
          return;
        }
        const result = blog.updatePost(socket.assigns.currentUser, socket.assigns.post, { ...form.data });
        if (result.ok) {
          socket.assign({ post: result.post, form: formOf(result.post) });
          socket.setPageTitle(result.post.title);
          socket.putFlash('info', 'Post saved');
        } else {
          socket.assign({ form });
          socket.putFlash('error', result.message);
        }
      }),
    },
    handleInfo(message, socket) {
      const msg = message as PostMessage;
      if (msg?.type === 'post_updated' && msg.post.id === socket.assigns.post.id) {
        socket.assign({ post: msg.post });
        socket.setPageTitle(msg.post.title);
      } else if (msg?.type === 'comment_added' && msg.comment.postId === socket.assigns.post.id) {
        socket.streamInsert('comments', msg.comment);
      } else if (msg?.type === 'comment_deleted' && msg.postId === socket.assigns.post.id) {
        socket.streamDeleteByDomId('comments', commentDomId(msg.commentId));
      }
    },
    render: ({
      currentUser,
      csrfToken,
      post,
      canEdit,
      form,
      flash,
      streams,
      commentForm,
    }) => html`${userBar(currentUser, csrfToken)}${flashGroup(flash)}
<main class="post">
  <article>
    <h1 id="title">${post.title}</h1>
    <div id="body">${post.body}</div>
    <p class="meta">Updated <time id="updated-at">${post.updatedAt}</time></p>
  </article>
  ${canEdit ? postForm(form) : ''}
  <section class="comments">
    <h2>Comments</h2>
    <ul id="comments" phx-update="stream">${streams.comments.map((comment) => liveComponent(CommentRow, { id: comment.id, comment, currentUser }))}</ul>
    ${commentFormOf(commentForm)}
  </section>
  <p><a id="to-posts" href="/posts" data-phx-link="redirect" data-phx-link-state="push">All posts</a></p>
</main>`,
  });
}

function postForm(form: LiveForm<PostInput>) {
  const title = form.field('title');
  const body = form.field('body');
  return html`<form id="post-form" phx-change="validate_post" phx-submit="update_post">
    <label>Title <input id="post-title" name="${title.name}" value="${title.value}"></label>
    ${title.errors.length > 0 ? html`<p id="title-error" class="error">${title.errors[0]}</p>` : ''}
    <label>Body <textarea id="post-body" name="${body.name}">${body.value}</textarea></label>
    ${body.errors.length > 0 ? html`<p id="body-error" class="error">${body.errors[0]}</p>` : ''}
    <button id="save" type="submit">Save</button>
  </form>`;
}

function commentFormOf(form: LiveForm<CommentInput>) {
  const body = form.field('body');
  return html`<form id="comment-form" phx-change="validate_comment" phx-submit="add_comment">
      <label>Comment <textarea id="comment-body" name="${body.name}" maxlength="${MAX_COMMENT}">${body.value}</textarea></label>
      <button id="add-comment" type="submit">Add comment</button>
      ${body.errors.length > 0 ? html`<p id="comment-error" class="error">${body.errors[0]}</p>` : ''}
    </form>`;
}
