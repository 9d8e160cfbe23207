import { createConfig, deleteConfig, getConfig, listConfigs, replaceConfig, updateConfig } from '../../modules/configs/service';
import { configBody } from '../../modules/configs/body';
import { keysToCamel } from '../../modules/shared/key-case';
import { cursorPagination } from './pagination';
import type { RestHandler, RestRequest } from './router';

/**
 * A config body as sent: keys to camelCase, and the read-only fields of a config object (id, created_at,
 * updated_at, links) dropped, so a GET response can be edited and sent back with PUT. The body's keys are all ours
 * (column names appear only as values), so the whole body converts to camelCase.
 */
async function writableBody(request: RestRequest): Promise<unknown> {
  const body = keysToCamel(await request.json());
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const { id: _id, createdAt: _createdAt, updatedAt: _updatedAt, links: _links, ...rest } = body as Record<string, unknown>;
  return rest;
}

export const list: RestHandler = async (request) => {
  const page = await listConfigs(request.context, {
    limit: request.query.get('limit') ?? undefined,
    cursor: request.query.get('cursor') ?? undefined,
  });
  return { status: 200, body: { data: page.data.map(configBody), pagination: cursorPagination(page) } };
};

export const create: RestHandler = async (request) => ({
  status: 201,
  body: configBody(await createConfig(request.context, await writableBody(request))),
});

export const get: RestHandler = async (request) => ({
  status: 200,
  body: configBody(await getConfig(request.context, request.params.id!)),
});

export const replace: RestHandler = async (request) => ({
  status: 200,
  body: configBody(await replaceConfig(request.context, request.params.id!, await writableBody(request))),
});

export const update: RestHandler = async (request) => ({
  status: 200,
  body: configBody(await updateConfig(request.context, request.params.id!, await writableBody(request))),
});

export const remove: RestHandler = async (request) => {
  await deleteConfig(request.context, request.params.id!);
  return { status: 200, body: { deleted: true } };
};
