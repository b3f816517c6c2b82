// `POST /admin/disconnect`: admins (checked by the route's pipeline) disconnect every live socket
// of an id, e.g. `users_socket:2`. CSRF-protected like every state-changing request.

import { describeDisconnectResult, type DisconnectResult, type Handler } from 'liveward';
import { isLiveSocketId } from '../auth/accounts.ts';

/** The action an operator token must name to call this endpoint. */
export const DISCONNECT_ACTION = 'disconnect';

/**
 * Answers with the cluster-wide result: `closed` in all, per node, the nodes that did not answer,
 * and `message`, the line an operator reads.
 */
export function createAdminController(disconnect: (liveSocketId: string) => Promise<DisconnectResult>): { disconnect: Handler } {
  return {
    disconnect: async (conn) => {
      const id = (await conn.form()).get('id') ?? '';
      if (!isLiveSocketId(id)) {
        conn.json(400, { error: 'id must be a live socket id such as users_socket:2' });
        return;
      }
      const result = await disconnect(id);
      conn.json(200, {
        id,
        closed: result.closed,
        nodes: result.nodes,
        unanswered: result.unanswered,
        message: describeDisconnectResult(result),
      });
    },
  };
}
