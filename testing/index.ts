// `liveward/testing`: drive live views from tests, without a browser, over the same HTTP and
// WebSocket path the official client uses. See `LiveTest`.

export { LiveTest } from './live-test.ts';
export type { HttpResult, LiveOptions, LiveTestOptions } from './live-test.ts';
export { LiveViewTest } from './live-view-test.ts';
export type { EventResult, FormValues, PushedEvent, ViewHost } from './live-view-test.ts';
export type { Payload } from './channel-socket.ts';
export type { FoundElement } from './html-query.ts';
