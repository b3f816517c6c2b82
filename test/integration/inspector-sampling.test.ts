// What watching costs the watched views: with an inspector open, a burst of client events is
// counted exactly (the tree's handled counts, the events chart) while only a bounded sample of
// them is built as runtime event objects, and a render's diff size is the frame the client got,
// not a second encoding of the diff.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveTest, type LiveViewTest } from 'liveward/testing';
import type { RuntimeEvent } from '../../server/index.ts';
import { SAMPLED_PER_SECOND } from '../../apps/inspector/feed.ts';
import { eventually } from '../support/eventually.ts';
import { joinLivePage } from '../support/live-client.ts';
import { useDemoServer } from '../support/use-demo-server.ts';

const CLIENTS = 5;
const EVENTS_PER_CLIENT = 200;

describe('an open inspector under a burst of events', () => {
  // The burst is sent as fast as the replies come: the per-socket rate limit is not under test.
  const s = useDemoServer({ limits: { maxEventsPerSecond: 100_000 } });
  let t: LiveTest;
  let inspector: LiveViewTest;

  beforeAll(async () => {
    t = await LiveTest.start(s.server);
    const admin = s.app.accounts.listUsers().find((u) => u.email === 'admin@example.com')!;
    inspector = await t.live('/inspector', {
      session: { user_token: s.app.accounts.createSessionToken(admin), live_socket_id: `users_socket:${admin.id}` },
    });
  });
  afterAll(() => t.close());

  it('counts every event in the tree and the chart, and builds only a sample of them', async () => {
    // Hears what the runtime builds, and asks for nothing more than the inspector does.
    const built: RuntimeEvent['type'][] = [];
    const stop = s.server.events.subscribe((e) => void built.push(e.type), { note: () => false });
    try {
      const views = await Promise.all(
        Array.from({ length: CLIENTS }, async () => s.clients.track(await joinLivePage(s.baseUrl, '/counter'))),
      );
      const started = performance.now();
      await Promise.all(
        views.map(async ({ channel }) => {
          for (let i = 0; i < EVENTS_PER_CLIENT; i++) expect((await channel.event('increment')).status).toBe('ok');
        }),
      );
      const seconds = (performance.now() - started) / 1000;

      // Exact: every view's handled count in the tree, and the sum of the events chart.
      for (const { page } of views) {
        await eventually(
          () => inspector.element(`li[data-view-topic="${page.topic}"]`).innerHtml.includes(`${EVENTS_PER_CLIENT} handled`),
          `${page.topic} drawn with ${EVENTS_PER_CLIENT} handled`,
        );
      }
      await eventually(
        () => inspector.element('svg[data-chart="events"]').attributes.get('data-sum') === String(CLIENTS * EVENTS_PER_CLIENT),
        'the events chart sums to the burst',
      );

      // Sampled: the budget is renewed on each of the feed's one-second ticks.
      const allowed = built.filter((type) => type === 'event.allowed').length;
      expect(allowed).toBeGreaterThan(0);
      expect(allowed).toBeLessThanOrEqual(SAMPLED_PER_SECOND * (Math.floor(seconds) + 2));
      expect(built.filter((type) => type === 'view.callback').length).toBeLessThanOrEqual(SAMPLED_PER_SECOND * (Math.floor(seconds) + 2));
      // The timeline shows at most its page of entries.
      expect(inspector.html().match(/<li data-kind=/g)?.length ?? 0).toBeLessThanOrEqual(100);
    } finally {
      stop();
    }
  });

  it("measures a render's diff size from the frame the client received", async () => {
    // A subscriber without `note` wants every event built.
    const renders: Extract<RuntimeEvent, { type: 'view.callback' }>[] = [];
    const stop = s.server.events.subscribe((e) => {
      if (e.type === 'view.callback' && e.callback === 'render') renders.push(e);
    });
    try {
      const { page, channel } = s.clients.track(await joinLivePage(s.baseUrl, '/counter'));
      const reply = await channel.event('increment');
      const changed = await channel.event('set', { n: '123456789' });
      const unchanged = await channel.event('set', { n: '123456789' });

      const ofView = renders.filter((r) => r.topic === page.topic).map((r) => r.diffBytes);
      expect(ofView).toEqual([reply.frame.raw.length, changed.frame.raw.length, 0]);
      expect(unchanged.response).toEqual({});
    } finally {
      stop();
    }
  });
});
