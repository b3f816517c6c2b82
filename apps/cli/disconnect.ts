// `npm run disconnect -- <live socket id>`: asks the running server to close every live socket of
// that id (e.g. `users_socket:2`) on every node of its cluster, and prints what each closed.
// Authenticates with a 60-second operator token signed with the server's own secret
// (SECRET_KEY_BASE, or the development secret in DATA_DIR), so only someone who can read that
// secret can use it.

import { AdminTokens, Keyring, loadSecretKeyBase, systemClock } from 'liveward';
import { DISCONNECT_ACTION } from '../inspector/admin-controller.ts';

const id = process.argv[2];
if (!id) {
  process.stderr.write('usage: npm run disconnect -- <live socket id>   (e.g. users_socket:2)\n');
  process.exit(2);
}
const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 4000);
const secret = loadSecretKeyBase(process.env.DATA_DIR ?? '.data');
const token = await new AdminTokens(new Keyring(secret), systemClock).sign(DISCONNECT_ACTION);

const response = await fetch(`http://${host}:${port}/admin/disconnect`, {
  method: 'POST',
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ id }).toString(),
});
const body = (await response.json().catch(() => ({}))) as {
  message?: string;
  nodes?: { nodeId: string; closed: number }[];
  error?: string;
};
if (!response.ok || typeof body.message !== 'string') {
  process.stderr.write(`disconnect failed (${response.status}): ${body.error ?? 'unknown error'}\n`);
  process.exit(1);
}
process.stdout.write(`${id}: ${body.message}\n`);
for (const node of body.nodes ?? []) process.stdout.write(`  ${node.nodeId}: ${node.closed}\n`);
