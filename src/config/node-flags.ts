/**
 * V8 flags the service runs with, wherever it runs: `npm start`, the image's `NODE_OPTIONS`, the
 * Kubernetes Deployment's `NODE_OPTIONS`, and the service `fraudctl bench` starts (a test keeps
 * them in step). Flags, not settings: V8 reads them when the isolate is created, before any of our
 * code, so they cannot come from `loadConfig`.
 *
 * `--max-semi-space-size=32` (MiB; Node 20's default is 16): each request's objects live until its
 * decision record has been handed to the writer threads, a few milliseconds at most. A young
 * generation twice the default is collected half as often under load, so fewer of those objects
 * (records still in a batch) are promoted for old-generation marking to trace, which lowers the CPU
 * per request (docs/performance.md). The cost is up to 32 MiB more resident memory.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = Object.freeze(['--max-semi-space-size=32']);
