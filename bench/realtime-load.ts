/**
 * The load client of bench/realtime.ts, in a process of its own so that making requests does not share the server's
 * event loop: sends one request per record at a fixed rate (open loop: each leaves on schedule whether or not earlier
 * ones answered) over keep-alive connections, and reports each one's latency, status and answer.
 * Each message in (IPC) is a LoadPlan; each message out the LoadResult[] of one plan, in the order of its bodies.
 */
import http from 'node:http';

export interface LoadPlan {
  url: string;
  headers: Record<string, string>;
  /** One JSON body per request. */
  bodies: string[];
  rate: number;
}

export interface LoadResult {
  ms: number;
  status: number;
  body: string;
}

function send(agent: http.Agent, url: URL, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function runPlan(plan: LoadPlan): Promise<LoadResult[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const url = new URL(plan.url);
  const results: LoadResult[] = new Array(plan.bodies.length);
  const startedAt = performance.now();
  await Promise.all(
    plan.bodies.map(async (body, i) => {
      const wait = startedAt + (i * 1000) / plan.rate - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const sent = performance.now();
      const answer = await send(agent, url, plan.headers, body).catch((error: Error) => ({ status: 0, body: error.message }));
      results[i] = { ms: performance.now() - sent, ...answer };
    }),
  );
  agent.destroy();
  return results;
}

// Plans run one after another (a warm-up, then the measured one); the process ends when the parent disconnects.
process.on('message', (plan: LoadPlan) => {
  runPlan(plan).then(
    (results) => process.send?.(results),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
process.on('disconnect', () => process.exit(0));
