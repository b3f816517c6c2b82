// One comment of `/posts/:id`, as a stateful component: its delete button targets the component
// itself (`phx-target` = its cid), and `delete` is declared with the `authorOrEditor` policy,
// checked against the comment the server rendered, never against anything the client sends.

import { allow, defineComponent, html } from 'liveward';
import type { Accounts, User } from '../auth/accounts.ts';
import { signedInPolicy } from '../auth/auth-guards.ts';
import { canDeleteComment, type Blog, type Comment } from './blog.ts';

export interface CommentRowAssigns {
  comment: Comment;
  currentUser: User;
}

/** A comment row's DOM id: the `comments` stream's default (`comments-<id>`), as its root tag says it. */
export const commentDomId = (commentId: number): string => `comments-${commentId}`;

export function commentRow(blog: Blog, accounts: Accounts) {
  // The policy re-reads the user by their login session; the comment is the one this component
  // holds (its author never changes), so a forged value cannot point the delete elsewhere.
  const authorOrEditor = signedInPolicy<CommentRowAssigns>('authorOrEditor', accounts, (user, { comment }) =>
    canDeleteComment(user, comment),
  );

  return defineComponent<CommentRowAssigns>({
    name: 'comment-row',
    handleEvent: {
      delete: allow(authorOrEditor, (_value, socket) => {
        // Every viewer of the post (this one included) drops the row when the deletion is broadcast.
        blog.deleteComment(socket.assigns.currentUser, socket.assigns.comment.id);
      }),
    },
    render: ({ comment, myself }) => html`<li id="comments-${comment.id}" class="comment">
  <p class="comment-meta"><span class="comment-author">${comment.authorEmail}</span> <time>${comment.createdAt}</time></p>
  <p class="comment-body">${comment.body}</p>
  <button id="delete-comment-${comment.id}" type="button" phx-click="delete" phx-target="${myself}">Delete</button>
</li>`,
  });
}
