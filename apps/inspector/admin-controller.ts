// `POST /admin/disconnect`: admins (checked by the route's pipeline) disconnect every live socket
// of an id, e.g. `users_socket:2`. CSRF-protected like every state-changing request.

import type { DisconnectResult, Handler } from 'liveward';
import { isLiveSocketId } from '../blog/accounts.ts';

/** The action an operator token must name to call this endpoint. */
export const DISCONNECT_ACTION = 'disconnect';

export function createAdminController(disconnect: (liveSocketId: string) => Promise<DisconnectResult>): { disconnect: Handler } {
  return {
    disconnect: async (conn) => {
      const id = (await conn.form()).get('id') ?? '';
      if (!isLiveSocketId(id)) {
        conn.json(400, { error: 'id must be a live socket id such as users_socket:2' });
        return;
      }
      conn.json(200, { id, closed: (await disconnect(id)).closed });
    },
  };
}
