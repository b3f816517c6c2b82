// The tests start redis-server with the helper the benchmark shares (testing/).
export { startRedis, type RunningRedis } from '../../testing/redis-server.ts';
