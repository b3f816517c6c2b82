// `liveward/redis`: PubSub across nodes through Redis. A separate entry point so that only apps
// that use it need `ioredis` (an optional peer dependency of the package).

export { RedisPubSub } from '../runtime/redis-pubsub.ts';
export type { RedisPubSubOptions } from '../runtime/redis-pubsub.ts';
