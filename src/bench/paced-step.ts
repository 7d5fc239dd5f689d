import { Agent, request } from 'node:http';
import { LatencySamples } from './latency-samples';
import type { LoadTarget, StepResult } from './load-step';
import { mainThreadCpuSeconds, processCpuSeconds } from './process-cpu';

/** A fixed-rate step with steady arrivals. */
export interface PacedPlan {
  /** Requests per second, spread evenly: request i is due at i / rate seconds. */
  readonly rate: number;
  readonly durationSeconds: number;
  /** Most requests in flight (keep-alive connections); a request due when all are busy waits, and the wait counts. */
  readonly maxInFlight: number;
}

/** A request without an answer after this long is an error (timeout), ms. */
const TIMEOUT_MS = 10_000;

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Runs one fixed-rate step as an open loop: request i is sent at `i / rate` seconds whether or not
 * earlier ones were answered (a timer wakes at each due time and sends what is due), over
 * keep-alive connections, each taking a fresh body from `target.body()`. A latency runs from the
 * request's due time to its complete response, so a late send (the client or the machine falling
 * behind) counts against the server rather than hiding (no coordinated omission). Unlike
 * autocannon's `overallRate`, which lets each connection send its share back to back at the top
 * of every second, this is the steady traffic a payment backend sends. Resolves with the same
 * measurements as `runStep`.
 */
export function runPacedStep(target: LoadTarget, plan: PacedPlan): Promise<StepResult> {
  const url = new URL(target.url);
  const agent = new Agent({ keepAlive: true, maxSockets: plan.maxInFlight });
  const samples = new LatencySamples();
  const total = Math.round(plan.rate * plan.durationSeconds);
  const serverCpu = () => (target.pid === undefined ? null : processCpuSeconds(target.pid));
  const mainThreadCpu = () => (target.pid === undefined ? null : mainThreadCpuSeconds(target.pid));
  const serverBefore = serverCpu();
  const mainBefore = mainThreadCpu();
  const clientBefore = process.cpuUsage();
  let non2xx = 0;
  let errors = 0;
  let timeouts = 0;
  let settled = 0;
  let sent = 0;
  const started = performance.now();
  const dueAt = (i: number) => started + (i * 1000) / plan.rate;

  return new Promise<StepResult>((resolve) => {
    const finish = () => {
      const seconds = (performance.now() - started) / 1000;
      const mainAfter = mainThreadCpu();
      const serverAfter = serverCpu();
      const client = process.cpuUsage(clientBefore);
      agent.destroy();
      const perRequest = (us: number) => (samples.count === 0 ? 0 : Math.round(us / samples.count));
      resolve({
        rate: plan.rate,
        connections: plan.maxInFlight,
        requests: samples.count,
        throughputRps: Math.round(samples.count / Math.max(seconds, plan.durationSeconds)),
        p50Ms: round3(samples.quantile(0.5)),
        p99Ms: round3(samples.quantile(0.99)),
        p999Ms: round3(samples.quantile(0.999)),
        maxMs: round3(samples.max()),
        errors,
        timeouts,
        non2xx,
        durationSeconds: round3(seconds),
        serverCpuUsPerRequest: serverBefore === null || serverAfter === null ? null : perRequest((serverAfter - serverBefore) * 1e6),
        serverMainThreadCpuUsPerRequest: mainBefore === null || mainAfter === null ? null : perRequest((mainAfter - mainBefore) * 1e6),
        clientCpuUsPerRequest: perRequest(client.user + client.system),
      });
    };
    const done = () => {
      settled++;
      if (settled === total) finish();
    };
    const send = (due: number) => {
      const body = target.body();
      let timedOut = false;
      const req = request(
        { host: url.hostname, port: url.port, path: target.path, method: 'POST', agent, headers: { ...target.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => {
            samples.add(performance.now() - due);
            const status = res.statusCode ?? 0;
            if (status < 200 || status > 299) non2xx++;
            done();
          });
        },
      );
      req.setTimeout(TIMEOUT_MS, () => {
        timedOut = true;
        timeouts++;
        req.destroy(new Error('timeout'));
      });
      req.on('error', () => {
        if (!timedOut) errors++;
        done();
      });
      req.end(body);
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && dueAt(sent) <= now) send(dueAt(sent++));
      if (sent < total) setTimeout(tick, Math.max(0, dueAt(sent) - performance.now()));
    };
    if (total === 0) finish();
    else tick();
  });
}
