/** Small fetch helpers for integration tests: JSON in, status + parsed body out. */
export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function request<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  options: { key?: string; json?: unknown; body?: BodyInit; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  let body = options.body;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, headers: response.headers, body: (type.includes('json') && text ? JSON.parse(text) : text) as T };
}

export async function graphql<T = any>(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  key?: string,
): Promise<JsonResponse<{ data?: T; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }>> {
  return request(baseUrl, 'POST', '/graphql', { key, json: { query, variables } });
}

/** Asserts the error body shape of docs/rest-api.md ("Errors") and returns it. */
export function expectErrorShape(body: any, code: string): void {
  const keys = ['statusCode', 'code', 'error', 'message', 'retryable', 'request_id', 'timestamp', 'path'];
  for (const key of keys) if (!(key in body)) throw new Error(`error body lacks "${key}": ${JSON.stringify(body)}`);
  if (body.code !== code) throw new Error(`expected code ${code}, got ${body.code}: ${body.message}`);
}
