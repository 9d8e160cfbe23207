/** `npm run worker`: a worker-only process. A stub until runs exist (see README). */
import { readSettings } from './config';
import { createLogger } from './logger';

const settings = readSettings();
const logger = createLogger(settings.LOG_LEVEL);
if (!settings.DATABASE_URL) {
  logger.error('npm run worker needs DATABASE_URL (the server started with npm start prints none: point both at one PostgreSQL)');
  process.exit(1);
}
logger.warn('npm run worker: runs are not implemented yet, so there is nothing to work on; exiting.');
