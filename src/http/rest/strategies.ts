import { generateStrategy, getStrategy, listStrategies, updateStrategy } from '../../modules/strategies/service';
import { strategyBody } from '../../modules/strategies/body';
import { keysToCamel } from '../../modules/shared/key-case';
import { cursorPagination } from './pagination';
import type { RestHandler } from './router';

export const generate: RestHandler = async (request) => ({
  status: 201,
  body: strategyBody(await generateStrategy(request.context, keysToCamel(await request.json()))),
});

export const list: RestHandler = async (request) => {
  const page = await listStrategies(request.context, {
    configId: request.query.get('config_id') ?? undefined,
    limit: request.query.get('limit') ?? undefined,
    cursor: request.query.get('cursor') ?? undefined,
  });
  return { status: 200, body: { data: page.data.map(strategyBody), pagination: cursorPagination(page) } };
};

export const get: RestHandler = async (request) => ({
  status: 200,
  body: strategyBody(await getStrategy(request.context, request.params.id!)),
});

export const update: RestHandler = async (request) => ({
  status: 200,
  body: strategyBody(await updateStrategy(request.context, request.params.id!, keysToCamel(await request.json()))),
});
