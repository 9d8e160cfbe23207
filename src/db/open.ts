import path from 'node:path';
import postgres from 'postgres';
import type { Settings } from '../config';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded';

export interface DatabaseHandle {
  /** Connection string of Concord's database. */
  url: string;
  /** Present when Concord started its own PostgreSQL. */
  embedded?: EmbeddedPostgres;
  stop(): Promise<void>;
}

const EMBEDDED_DATABASE = 'concord';

/** DATABASE_URL when set; otherwise the embedded PostgreSQL under DATA_DIR, kept across restarts. */
export async function openDatabase(settings: Settings, log: (line: string) => void = () => {}): Promise<DatabaseHandle> {
  if (settings.DATABASE_URL) return { url: settings.DATABASE_URL, stop: async () => {} };
  const embedded = await startEmbeddedPostgres({ dataDir: path.resolve(settings.DATA_DIR), persistent: true, onLog: log });
  try {
    await ensureDatabase(embedded.url, EMBEDDED_DATABASE);
  } catch (error) {
    await embedded.stop();
    throw error;
  }
  const url = new URL(embedded.url);
  url.pathname = `/${EMBEDDED_DATABASE}`;
  return { url: url.toString(), embedded, stop: () => embedded.stop() };
}

export async function ensureDatabase(serverUrl: string, name: string, template?: string): Promise<boolean> {
  const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    const [found] = await sql`select 1 from pg_database where datname = ${name}`;
    if (found) return false;
    await sql.unsafe(`create database "${name.replace(/"/g, '""')}"${template ? ` template "${template.replace(/"/g, '""')}"` : ''}`);
    return true;
  } finally {
    await sql.end();
  }
}
