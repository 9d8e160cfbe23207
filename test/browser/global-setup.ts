import { buildWeb } from '../../web/build';

/** The page under test is the built one, as `npm start` serves it: build it when its sources changed. */
export async function setup(): Promise<void> {
  await buildWeb({ ifStale: true });
}
