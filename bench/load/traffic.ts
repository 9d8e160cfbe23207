/**
 * Open-loop HTTP load: requests are sent on a fixed schedule (`rate` per second) whatever the server's speed, and
 * each latency is counted from the moment its request was due, so a slow server cannot hide its backlog (no
 * coordinated omission). Keep-alive connections, as a real client pool would use.
 */
import http from 'node:http';

export interface TrafficOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:4000. */
  baseUrl: string;
  /** Paths, used round-robin. */
  paths: string[];
  /** Target requests per second. */
  rate: number;
  seconds: number;
  headers?: Record<string, string>;
  /** Most keep-alive sockets to the server. Default 64. */
  maxSockets?: number;
}

export interface TrafficResult {
  sent: number;
  ok: number;
  errors: number;
  /** Status codes (or error codes) of the failed requests, with counts. */
  errorKinds: Record<string, number>;
  /** Latencies of all requests (ms), sorted. */
  latencies: number[];
  /** Completed requests per second over the whole phase (until the last response). */
  throughput: number;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export async function drive(options: TrafficOptions): Promise<TrafficResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 });
  const target = new URL(options.baseUrl);
  const total = Math.round(options.rate * options.seconds);
  const latencies: number[] = [];
  const errorKinds: Record<string, number> = {};
  let ok = 0;
  let sent = 0;
  const start = performance.now();
  const one = (path: string, dueAt: number) =>
    new Promise<void>((resolve) => {
      const fail = (kind: string) => {
        errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
        latencies.push(performance.now() - dueAt);
        resolve();
      };
      const request = http.request(
        { agent, host: target.hostname, port: target.port, path, method: 'GET', headers: options.headers },
        (response) => {
          response.resume();
          response.on('end', () => {
            if (response.statusCode === 200) {
              ok++;
              latencies.push(performance.now() - dueAt);
              resolve();
            } else fail(String(response.statusCode));
          });
          response.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? 'response_error'));
        },
      );
      request.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? 'request_error'));
      request.end();
    });
  const pending: Array<Promise<void>> = [];
  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - start;
      const due = Math.min(total, Math.floor((elapsed / 1000) * options.rate) + 1);
      while (sent < due) {
        const dueAt = start + (sent * 1000) / options.rate;
        pending.push(one(options.paths[sent % options.paths.length]!, dueAt));
        sent++;
      }
      if (sent >= total) return resolve();
      setTimeout(tick, 2);
    };
    tick();
  });
  await Promise.all(pending);
  const elapsedSeconds = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const errors = sent - ok;
  return { sent, ok, errors, errorKinds, latencies, throughput: ok / elapsedSeconds };
}
