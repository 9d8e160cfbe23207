/** The two REST calls the dashboard makes: the results CSV, and the strategies list of the planned REST route. */
import { ApiError } from './graphql';
import type { ResultFilters } from './types';

/**
 * Downloads the results CSV. A plain link cannot send the Bearer key, so the file is fetched, turned into a blob
 * and handed to the browser through a temporary object URL.
 */
export async function downloadResultsCsv(key: string, runDatabaseId: string, filters: ResultFilters): Promise<void> {
  const query = new URLSearchParams({ format: 'csv' });
  if (filters.status) query.set('status', filters.status.toLowerCase());
  if (filters.matched !== 'any') query.set('matched', String(filters.matched === 'matched'));
  if (filters.minConfidence.trim() !== '') query.set('min_confidence', filters.minConfidence.trim());
  const response = await fetch(`/v1/matching/runs/${encodeURIComponent(runDatabaseId)}/results?${query}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { message?: string; code?: string } | null;
    throw new ApiError(body?.message ?? `The server answered ${response.status}.`, body?.code);
  }
  const url = URL.createObjectURL(await response.blob());
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = `run-${runDatabaseId}-results.csv`;
    document.body.append(link);
    link.click();
    link.remove();
  } finally {
    // The click starts the download synchronously; revoking on the next tick keeps the blob alive until then.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}

export interface StrategySummary {
  id: string;
  name?: string;
  version?: number;
}

/**
 * The config's strategies, when the server has the strategies route (GET /v1/matching/strategies?config_id, see
 * docs/smart-runs.md). Without the route (404) the form asks for a strategy id instead.
 */
export async function fetchStrategies(key: string, configDatabaseId: string): Promise<StrategySummary[] | null> {
  const response = await fetch(`/v1/matching/strategies?config_id=${encodeURIComponent(configDatabaseId)}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  if (!response.ok) return null;
  const body = (await response.json().catch(() => null)) as { data?: StrategySummary[] } | null;
  return Array.isArray(body?.data) ? body.data : null;
}
