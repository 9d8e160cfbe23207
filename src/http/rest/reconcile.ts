import { Readable } from 'node:stream';
import { UnsupportedMediaTypeError, ValidationError } from '../../errors';
import { renderPreviewHtml } from '../../modules/reconciliation/preview';
import {
  extend,
  manifest,
  preview,
  proposeProperties,
  reconcile,
  suggestEntities,
  suggestProperties,
  type ServiceLinks,
  type SuggestParams,
  type ServiceTarget,
} from '../../modules/reconciliation/service';
import { readBody } from './body';
import type { RestHandler, RestRequest, RestResponse } from './router';
import { STRATEGY_PARAMETER, URL_KEY_PARAMETER } from './url-key';

/**
 * The handlers of the reconciliation service (`/v1/reconcile/:config_id`, W3C Reconciliation Service API v0.2; see
 * modules/reconciliation/service.ts and docs/reconciliation.md). Parameters come from the query string (GET) or an
 * application/x-www-form-urlencoded body (POST, as OpenRefine sends batches); a GET answer is JSONP when it names a
 * `callback`.
 */

/** Parameters the transport uses, not the service: the key (url-key.ts), JSONP's callback. */
const TRANSPORT = new Set([URL_KEY_PARAMETER, 'callback']);
/** Nothing a browser or proxy keeps: the URLs hold keys, and a manifest announces URLs with the caller's key in them. */
const NO_STORE = { 'cache-control': 'no-store' };

/** The service's parameters: the URL's, and a POST's form fields; a name in both is a 400 (which would count?). */
async function serviceParameters(request: RestRequest): Promise<URLSearchParams> {
  const params = new URLSearchParams();
  for (const [name, value] of request.query) if (!TRANSPORT.has(name)) params.append(name, value);
  if (request.method !== 'POST') return params;
  const bytes = await readBody(request.raw, request.context.settings.MAX_JSON_BYTES);
  if (bytes.length === 0) return params;
  const type = request.raw.headers['content-type'] ?? '';
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
    throw new UnsupportedMediaTypeError(`Expected a form body (Content-Type: application/x-www-form-urlencoded), got "${type}".`);
  }
  const form = new URLSearchParams(bytes.toString('utf8'));
  for (const [name, value] of form) {
    if (params.has(name))
      throw new ValidationError(`The parameter ${name} is given both in the URL and in the form.`, [
        { path: name, message: 'given twice' },
      ]);
    if (!TRANSPORT.has(name)) params.append(name, value);
  }
  return params;
}

/** One value of a parameter; given more than once is a 400. */
function single(params: URLSearchParams, name: string): string | null {
  const values = params.getAll(name);
  if (values.length > 1)
    throw new ValidationError(`The parameter ${name} is given more than once.`, [{ path: name, message: 'given more than once' }]);
  return values[0] ?? null;
}

const CALLBACK = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;

/** JSON, or JSONP (`callback(…)`, script) when a GET names a callback: OpenRefine's fallback where CORS fails. */
function answer(request: RestRequest, body: unknown): RestResponse {
  const callback = request.method === 'GET' ? request.query.getAll('callback') : [];
  if (callback.length === 0) return { status: 200, body, headers: NO_STORE };
  const name = callback[0]!;
  if (callback.length > 1 || name.length > 128 || !CALLBACK.test(name)) {
    throw new ValidationError(
      'The callback parameter must be one JavaScript identifier path (letters, digits, _, $ and dots; at most 128 characters).',
      [{ path: 'callback', message: 'not a JavaScript identifier path' }],
    );
  }
  // `/**/` keeps the answer from starting with bytes another file type could be sniffed from (Rosetta Flash).
  const script = `/**/${name}(${JSON.stringify(body)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')});`;
  return {
    status: 200,
    stream: Readable.from([script]),
    contentType: 'application/javascript; charset=utf-8',
    headers: { ...NO_STORE, 'x-content-type-options': 'nosniff' },
  };
}

/** The config of the route, and the strategy the service URL names (`strategy_id`, given at most once). */
function target(request: RestRequest, params: URLSearchParams = request.query): ServiceTarget {
  return { configId: request.params.config_id!, strategyId: single(params, STRATEGY_PARAMETER) };
}

/**
 * Absolute URLs for the manifest: PUBLIC_URL when set, else the request's Host (with X-Forwarded-Proto https from a
 * proxy that terminates TLS). A Host that is not a host name and port is not used.
 */
function links(request: RestRequest): ServiceLinks {
  const configured = request.context.settings.PUBLIC_URL?.replace(/\/+$/, '');
  let origin = configured;
  if (!origin) {
    const host = request.raw.headers.host ?? '';
    const forwarded = String(request.raw.headers['x-forwarded-proto'] ?? '')
      .split(',')[0]!
      .trim()
      .toLowerCase();
    origin = `${forwarded === 'https' ? 'https' : 'http'}://${/^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/.test(host) ? host : 'localhost'}`;
  }
  const key = request.query.get(URL_KEY_PARAMETER);
  const strategy = request.query.get(STRATEGY_PARAMETER);
  return {
    serviceUrl: `${origin}/v1/reconcile/${encodeURIComponent(request.params.config_id!)}`,
    keyParameter: key ? `${URL_KEY_PARAMETER}=${encodeURIComponent(key)}` : null,
    strategyParameter: strategy ? `${STRATEGY_PARAMETER}=${encodeURIComponent(strategy)}` : null,
  };
}

/** The service URL itself: the manifest (GET, no parameters), a batch of `queries`, or a data `extend` query. */
export const service: RestHandler = async (request) => {
  const params = await serviceParameters(request);
  const queries = single(params, 'queries');
  const extension = single(params, 'extend');
  // The strategy belongs to the service URL, but OpenRefine may as well send it as a form field: both are taken.
  const service = target(request, params);
  if (queries !== null && extension !== null) {
    throw new ValidationError('Send either queries or extend, not both.', [{ path: 'extend', message: 'not with queries' }]);
  }
  if (queries !== null) return answer(request, await reconcile(request.context, service, queries));
  if (extension !== null) return answer(request, await extend(request.context, service, extension));
  if (request.method === 'POST') {
    throw new ValidationError('A POST to the service carries queries or extend (form fields).', [{ path: 'queries', message: 'required' }]);
  }
  return answer(request, await manifest(request.context, service, links(request)));
};

/** An HTML card of one reference row, for OpenRefine's iframe. Scripts are forbidden on top of the escaping. */
export const previewCard: RestHandler = async (request) => {
  const card = await preview(request.context, target(request), single(request.query, 'id') ?? '');
  return {
    status: 200,
    stream: Readable.from([renderPreviewHtml(card)]),
    contentType: 'text/html; charset=utf-8',
    headers: {
      ...NO_STORE,
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    },
  };
};

/** A suggest service's query parameters (the spec's `prefix`, `limit`, `cursor`). */
function suggestParamsOf(request: RestRequest): SuggestParams {
  return {
    prefix: single(request.query, 'prefix'),
    limit: single(request.query, 'limit'),
    cursor: single(request.query, 'cursor'),
  };
}

export const suggestEntity: RestHandler = async (request) =>
  answer(request, await suggestEntities(request.context, target(request), suggestParamsOf(request)));

export const suggestProperty: RestHandler = async (request) =>
  answer(request, await suggestProperties(request.context, target(request), suggestParamsOf(request)));

export const propose: RestHandler = async (request) =>
  answer(
    request,
    await proposeProperties(request.context, target(request), {
      type: single(request.query, 'type'),
      limit: single(request.query, 'limit'),
    }),
  );
