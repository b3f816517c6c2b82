import { afterEach, describe, expect, it, vi } from 'vitest';
import { logger } from '../../runtime/logger.ts';
import { LocalPubSub } from '../../runtime/pubsub.ts';

/** Lets queued microtasks (PubSub deliveries) run. */
async function flush(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
}

describe('LocalPubSub', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  describe('#broadcast', () => {
    it('delivers a message to every subscriber of the topic', async () => {
      const pubsub = new LocalPubSub();
      const a: unknown[] = [];
      const b: unknown[] = [];
      pubsub.subscribe('room:1', (m) => a.push(m));
      pubsub.subscribe('room:1', (m) => b.push(m));
      pubsub.broadcast('room:1', { n: 1 });
      await flush();
      expect(a).toEqual([{ n: 1 }]);
      expect(b).toEqual([{ n: 1 }]);
    });

    it('delivers asynchronously, never inside the broadcast call', async () => {
      const pubsub = new LocalPubSub();
      const received: unknown[] = [];
      pubsub.subscribe('t', (m) => received.push(m));
      pubsub.broadcast('t', 'hello');
      expect(received).toEqual([]);
      await Promise.resolve();
      expect(received).toEqual(['hello']);
    });

    it('delivers messages in broadcast order', async () => {
      const pubsub = new LocalPubSub();
      const received: unknown[] = [];
      pubsub.subscribe('t', (m) => received.push(m));
      pubsub.broadcast('t', 1);
      pubsub.broadcast('t', 2);
      pubsub.broadcast('t', 3);
      await flush();
      expect(received).toEqual([1, 2, 3]);
    });

    it('does not deliver to subscribers of other topics', async () => {
      const pubsub = new LocalPubSub();
      const received: unknown[] = [];
      pubsub.subscribe('room:2', (m) => received.push(m));
      pubsub.broadcast('room:1', 'x');
      await flush();
      expect(received).toEqual([]);
    });

    it('ignores a topic nobody subscribed to', async () => {
      const pubsub = new LocalPubSub();
      expect(() => pubsub.broadcast('nobody', 'x')).not.toThrow();
      await flush();
    });

    it('keeps delivering to the others when one listener throws', async () => {
      const logged = vi.spyOn(logger, 'error').mockImplementation(() => {});
      const pubsub = new LocalPubSub();
      const received: string[] = [];
      pubsub.subscribe('t', () => received.push('before'));
      pubsub.subscribe('t', () => {
        throw new Error('listener failed');
      });
      pubsub.subscribe('t', () => received.push('after'));
      pubsub.broadcast('t', 'x');
      await flush();
      expect(received).toEqual(['before', 'after']);
      expect(logged).toHaveBeenCalledTimes(1);
      expect(logged.mock.calls[0]![0]).toBe('pubsub.listener_failed');
    });

    it('does not deliver a pending message to a listener that unsubscribed', async () => {
      const pubsub = new LocalPubSub();
      const received: unknown[] = [];
      const unsubscribe = pubsub.subscribe('t', (m) => received.push(m));
      pubsub.broadcast('t', 'x');
      unsubscribe();
      await flush();
      expect(received).toEqual([]);
    });

    it('does not deliver a pending message to a listener that subscribed after it', async () => {
      const pubsub = new LocalPubSub();
      const received: unknown[] = [];
      pubsub.subscribe('t', () => {});
      pubsub.broadcast('t', 'early');
      pubsub.subscribe('t', (m) => received.push(m));
      await flush();
      expect(received).toEqual([]);
    });
  });

  describe('#subscribe', () => {
    it('returns a function that stops delivery', async () => {
      const pubsub = new LocalPubSub();
      const received: unknown[] = [];
      const unsubscribe = pubsub.subscribe('t', (m) => received.push(m));
      pubsub.broadcast('t', 1);
      await flush();
      unsubscribe();
      pubsub.broadcast('t', 2);
      await flush();
      expect(received).toEqual([1]);
    });

    it('lets the same function subscribe twice and unsubscribe each independently', async () => {
      const pubsub = new LocalPubSub();
      const received: unknown[] = [];
      const listener = (m: unknown) => received.push(m);
      const first = pubsub.subscribe('t', listener);
      pubsub.subscribe('t', listener);
      pubsub.broadcast('t', 'a');
      await flush();
      expect(received).toEqual(['a', 'a']);
      first();
      pubsub.broadcast('t', 'b');
      await flush();
      expect(received).toEqual(['a', 'a', 'b']);
    });
  });

  describe('#subscriptionCount', () => {
    it('counts live subscriptions and returns to 0 after unsubscribing', () => {
      const pubsub = new LocalPubSub();
      expect(pubsub.subscriptionCount()).toBe(0);
      const offA = pubsub.subscribe('a', () => {});
      const offB = pubsub.subscribe('b', () => {});
      const offA2 = pubsub.subscribe('a', () => {});
      expect(pubsub.subscriptionCount()).toBe(3);
      offA();
      offB();
      offA2();
      expect(pubsub.subscriptionCount()).toBe(0);
    });

    it('is not decremented twice by calling an unsubscribe function twice', () => {
      const pubsub = new LocalPubSub();
      const off = pubsub.subscribe('a', () => {});
      pubsub.subscribe('a', () => {});
      off();
      off();
      expect(pubsub.subscriptionCount()).toBe(1);
    });
  });

  describe('#close', () => {
    it('drops every subscription', async () => {
      const pubsub = new LocalPubSub();
      const received: unknown[] = [];
      pubsub.subscribe('t', (m) => received.push(m));
      await pubsub.close();
      expect(pubsub.subscriptionCount()).toBe(0);
      pubsub.broadcast('t', 'x');
      await flush();
      expect(received).toEqual([]);
    });

    it('drops messages still pending when it closes', async () => {
      const pubsub = new LocalPubSub();
      const received: unknown[] = [];
      pubsub.subscribe('t', (m) => received.push(m));
      pubsub.broadcast('t', 'pending');
      await pubsub.close();
      await flush();
      expect(received).toEqual([]);
    });

    it('keeps the count at 0 when subscriptions are dropped after closing', async () => {
      const pubsub = new LocalPubSub();
      const off = pubsub.subscribe('t', () => {});
      await pubsub.close();
      off();
      expect(pubsub.subscriptionCount()).toBe(0);
      const offNew = pubsub.subscribe('t', () => {});
      expect(pubsub.subscriptionCount()).toBe(1);
      offNew();
      expect(pubsub.subscriptionCount()).toBe(0);
    });
  });
});
