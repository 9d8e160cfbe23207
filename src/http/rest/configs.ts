import {
  createConfig,
  deleteConfig,
  getConfig,
  listConfigs,
  replaceConfig,
  updateConfig,
} from '../../modules/configs/service';
import { configBody } from '../../modules/configs/body';
import { keysToCamel } from '../../modules/key-case';
import { cursorPagination } from './pagination';
import type { RestRequest, Router } from './router';

const base = '/v1/matching/configs';

/**
 * A config body as sent: keys to camelCase, and the read-only fields of a config object (id, created_at,
 * updated_at, links) dropped, so a GET response can be edited and sent back with PUT.
 */
async function writableBody(request: RestRequest): Promise<unknown> {
  const body = keysToCamel(await request.json());
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const { id: _id, createdAt: _createdAt, updatedAt: _updatedAt, links: _links, ...rest } = body as Record<string, unknown>;
  return rest;
}

/** The body's keys are all ours (column names appear only as values), so the whole body converts to camelCase. */
export function registerConfigRoutes(router: Router): void {
  router.add('GET', base, async (request) => {
    const page = await listConfigs(request.context, {
      limit: request.query.get('limit') ?? undefined,
      cursor: request.query.get('cursor') ?? undefined,
    });
    return {
      status: 200,
      body: {
        data: page.data.map(configBody),
        pagination: cursorPagination(page),
      },
    };
  });
  router.add('POST', base, async (request) => ({
    status: 201,
    body: configBody(await createConfig(request.context, await writableBody(request))),
  }));
  router.add('GET', `${base}/:id`, async (request) => ({
    status: 200,
    body: configBody(await getConfig(request.context, request.params.id!)),
  }));
  router.add('PUT', `${base}/:id`, async (request) => ({
    status: 200,
    body: configBody(await replaceConfig(request.context, request.params.id!, await writableBody(request))),
  }));
  router.add('PATCH', `${base}/:id`, async (request) => ({
    status: 200,
    body: configBody(await updateConfig(request.context, request.params.id!, await writableBody(request))),
  }));
  router.add('DELETE', `${base}/:id`, async (request) => {
    await deleteConfig(request.context, request.params.id!);
    return { status: 200, body: { deleted: true } };
  });
}
