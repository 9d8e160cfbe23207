import { matchRecords } from '../../modules/realtime/service';
import { matchResultBody } from '../../modules/realtime/body';
import type { RestHandler } from './router';

/** POST /v1/matching/configs/:id/match: `records` keep their keys (user column names); `strategy_id` is ours. */
export const matchNow: RestHandler = async (request) => {
  const body = await request.json();
  const {
    records,
    strategy_id: strategyId,
    ...rest
  } = (body && typeof body === 'object' && !Array.isArray(body) ? body : { records: body }) as Record<string, unknown>;
  const results = await matchRecords(request.context, {
    configId: request.params.id!,
    records: records as Array<Record<string, unknown>>,
    ...(strategyId === undefined ? {} : { strategyId: strategyId as string }),
    ...rest,
  });
  return { status: 200, body: { data: results.map(matchResultBody) } };
};
