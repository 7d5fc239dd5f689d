import autocannon from 'autocannon';
import { LatencySamples } from './latency-samples';
import { mainThreadCpuSeconds, processCpuSeconds } from './process-cpu';

/** Where a step sends its requests, and what. */
export interface LoadTarget {
  /** Base URL of the server, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  /** Request path, e.g. /v1/score */
  readonly path: string;
  /** The next request body (JSON text); called once per request. */
  readonly body: () => string;
  /** The server's process id, to measure the CPU it spends (Linux /proc). */
  readonly pid?: number;
  /** Headers sent with every request besides the content type (e.g. the client's credentials). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** One load step: a fixed rate, or saturation (as fast as `connections` closed loops go). */
export interface StepPlan {
  /** Requests per second over all connections; null = saturation. */
  readonly rate: number | null;
  readonly connections: number;
  readonly durationSeconds: number;
}

/** What one step measured, on the client side (autocannon in this process). */
export interface StepResult {
  /** Target rate, requests/s; null for the saturation step. */
  readonly rate: number | null;
  readonly connections: number;
  /** Responses received (any status). */
  readonly requests: number;
  /** Responses per second over the step's measured duration. */
  readonly throughputRps: number;
  /** Latency from writing the request to its complete response, ms (exact order statistics). */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
  /** Connection errors and timeouts (requests with no response). */
  readonly errors: number;
  readonly timeouts: number;
  /** Responses with a status outside 2xx. */
  readonly non2xx: number;
  readonly durationSeconds: number;
  /**
   * CPU time the server process used per response, µs (all its threads; null without /proc).
   * Unlike throughput, this barely moves when other work shares the machine.
   */
  readonly serverCpuUsPerRequest: number | null;
  /**
   * The part of {@link serverCpuUsPerRequest} spent on the server's main thread (its event loop),
   * µs. Times the throughput over 1e6, it is how busy that thread was: near 1 it was the bound.
   */
  readonly serverMainThreadCpuUsPerRequest: number | null;
  /** CPU time this process (the load generator) used per response, µs. */
  readonly clientCpuUsPerRequest: number;
}

const HEADERS = { 'content-type': 'application/json' };
/** A request without an answer after this long counts as an error (timeout), seconds. */
const TIMEOUT_SECONDS = 10;

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Runs one step with autocannon and resolves with its measurements. Every request takes a fresh
 * body from `target.body()` (autocannon's `setupRequest`). Latencies are taken from autocannon's
 * `response` events (its own histogram keeps whole milliseconds only) and kept exactly.
 *
 * Fixed rate uses autocannon's `overallRate`: each connection may send `rate / connections`
 * requests per second, back to back as answers arrive, then waits for the next second. So arrivals
 * come in per-second bursts of closed loops (at most `connections` in flight), not spread evenly.
 */
export function runStep(target: LoadTarget, plan: StepPlan): Promise<StepResult> {
  const samples = new LatencySamples();
  let non2xx = 0;
  const serverCpu = () => (target.pid === undefined ? null : processCpuSeconds(target.pid));
  const mainThreadCpu = () => (target.pid === undefined ? null : mainThreadCpuSeconds(target.pid));
  const serverBefore = serverCpu();
  const mainBefore = mainThreadCpu();
  const clientBefore = process.cpuUsage();
  return new Promise<StepResult>((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        connections: plan.connections,
        duration: plan.durationSeconds,
        timeout: TIMEOUT_SECONDS,
        ...(plan.rate === null ? {} : { overallRate: plan.rate }),
        requests: [{ method: 'POST', path: target.path, headers: { ...HEADERS, ...target.headers }, setupRequest: (req) => ({ ...req, body: target.body() }) }],
      },
      (err: Error | null, result: autocannon.Result) => {
        if (err !== null && err !== undefined) {
          reject(err);
          return;
        }
        const seconds = result.duration > 0 ? result.duration : plan.durationSeconds;
        // The main thread's time is part of the process's: read it after the process's at the
        // start and before it at the end, so its difference can never exceed the process's.
        const mainAfter = mainThreadCpu();
        const serverAfter = serverCpu();
        const client = process.cpuUsage(clientBefore);
        const perRequest = (us: number) => (samples.count === 0 ? 0 : Math.round(us / samples.count));
        resolve({
          rate: plan.rate,
          connections: plan.rate === null ? plan.connections : Math.min(plan.connections, plan.rate),
          requests: samples.count,
          throughputRps: Math.round(samples.count / seconds),
          p50Ms: round3(samples.quantile(0.5)),
          p99Ms: round3(samples.quantile(0.99)),
          p999Ms: round3(samples.quantile(0.999)),
          maxMs: round3(samples.max()),
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx,
          durationSeconds: seconds,
          serverCpuUsPerRequest: serverBefore === null || serverAfter === null ? null : perRequest((serverAfter - serverBefore) * 1e6),
          serverMainThreadCpuUsPerRequest: mainBefore === null || mainAfter === null ? null : perRequest((mainAfter - mainBefore) * 1e6),
          clientCpuUsPerRequest: perRequest(client.user + client.system),
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      samples.add(responseTimeMs);
      if (statusCode < 200 || statusCode > 299) non2xx++;
    });
  });
}
