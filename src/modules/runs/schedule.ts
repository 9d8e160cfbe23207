import { parseCronItem } from 'graphile-worker';
import type { App } from '../../context';
import { scheduledConfigs } from '../configs/service';
import { configMatch, insertRun, snapshotOf } from './service';

/**
 * Scheduled runs. graphile-worker's crontab (src/worker/tasks.ts) fires `schedule_tick` once a minute (exactly once across all
 * worker processes, with backfill off); the tick starts a `scheduled` run of every config whose cron `schedule`
 * (5 fields, UTC) matches that minute.
 */
export async function scheduleTick(app: App, at: Date): Promise<string[]> {
  const digest = {
    min: at.getUTCMinutes(),
    hour: at.getUTCHours(),
    date: at.getUTCDate(),
    month: at.getUTCMonth() + 1,
    dow: at.getUTCDay(),
  };
  const started: string[] = [];
  for (const config of await scheduledConfigs(app)) {
    if (!config.schedule || !config.sourceDataId) continue;
    let matches = false;
    try {
      matches = parseCronItem({ task: 'scheduled', match: config.schedule }).match(digest);
    } catch (error) {
      app.logger.warn({ configId: config.id, schedule: config.schedule, err: error }, 'invalid schedule');
      continue;
    }
    if (!matches) continue;
    const run = await insertRun(app, {
      workspaceId: config.workspaceId,
      config,
      triggeredBy: 'scheduled',
      snapshot: snapshotOf(config, configMatch(config), config.sourceDataId),
    });
    started.push(run.id);
  }
  return started;
}
