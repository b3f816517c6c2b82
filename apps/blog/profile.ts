// `/profile`: the signed-in user's avatar. One picture, PNG, JPEG or WebP by its content (a text
// file named `.png` is refused when its bytes arrive), at most 2 MB counted as they arrive; the
// errors in words under the form, the progress while it uploads, the new picture once saved.

import { allow, defineView, html, liveFileInput, uploadErrorText, type Flash, type UploadView } from 'liveward';
import type { Accounts, User } from '../auth/accounts.ts';
import { signedInPolicy } from '../auth/auth-guards.ts';
import { AVATAR_ACCEPT, AVATAR_MAX_BYTES, type Avatars } from './avatars.ts';
import { userBar } from '../auth/user-bar.ts';
import { flashGroup } from '../flash-group.ts';

interface ProfileAssigns {
  currentUser: User;
  csrfToken: string;
  flash: Flash;
  uploads: { avatar: UploadView };
  avatarUrl: string | null;
}

export function profileView(avatars: Avatars, accounts: Accounts) {
  // Every event re-reads the user by their login session, as on every page of the blog.
  const signedIn = signedInPolicy<ProfileAssigns>('signedIn', accounts, () => true);

  return defineView<ProfileAssigns>({
    name: 'profile',
    mount(_params, _session, socket) {
      socket.assign({ avatarUrl: avatars.urlOf(socket.assigns.currentUser.id) });
      socket.allowUpload('avatar', { accept: AVATAR_ACCEPT, maxEntries: 1, maxFileSize: AVATAR_MAX_BYTES, policy: signedIn });
      socket.setPageTitle('Profile');
    },
    handleEvent: {
      // The entries the change declares are registered and checked by the runtime before this runs.
      validate_avatar: allow(signedIn, () => {}),
      cancel_avatar: allow(signedIn, (value, socket) => socket.cancelUpload('avatar', String(value.ref))),
      save_avatar: allow(signedIn, async (_value, socket) => {
        const userId = socket.assigns.currentUser.id;
        const [url] = await socket.consumeUploadedEntries('avatar', (file) => avatars.save(userId, file));
        if (url) {
          socket.assign({ avatarUrl: url });
          socket.putFlash('info', 'Avatar saved');
        }
      }),
    },
    render: ({ currentUser, csrfToken, flash, uploads, avatarUrl }) => {
      const upload = uploads.avatar;
      const errors = [...new Set(upload.errors.map(([, reason]) => uploadErrorText(reason)))];
      return html`${userBar(currentUser, csrfToken)}${flashGroup(flash)}
<main class="profile">
  <h1>Profile</h1>
  <div id="avatar">${avatarUrl ? html`<img src="${avatarUrl}" alt="Your avatar" width="128">` : html`<p>No picture yet.</p>`}</div>
  <form id="avatar-form" phx-change="validate_avatar" phx-submit="save_avatar">
    <label>Picture (PNG, JPEG or WebP, at most 2 MB) ${liveFileInput(upload)}</label>
    <div id="avatar-progress">${upload.entries.map((entry) => html`<p><progress value="${entry.progress}" max="100">${entry.progress}%</progress> ${entry.clientName} <button type="button" phx-click="cancel_avatar" phx-value-ref="${entry.ref}" aria-label="cancel">&times;</button></p>`)}</div>
    ${errors.length > 0 ? html`<p id="avatar-error" class="error">${errors.join(' ')}</p>` : ''}
    <button id="save-avatar" type="submit">Save</button>
  </form>
</main>`;
    },
  });
}
