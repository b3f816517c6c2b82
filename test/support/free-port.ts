// The tests find ports with the helper the benchmark shares (testing/).
export { freePort } from '../../testing/free-port.ts';
