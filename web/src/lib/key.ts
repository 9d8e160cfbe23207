/**
 * The API key lives in sessionStorage: it survives reloads of this tab but not closing it, and is never written to
 * localStorage or a cookie (a cookie would be sent to the server on every request and invite CSRF).
 */
const STORAGE_KEY = 'concord.apiKey';

export function loadKey(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled: the key is kept in memory only
  }
}

export function saveKey(key: string): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, key);
  } catch {
    // storage disabled: nothing to do, the page keeps the key in memory
  }
}

export function clearKey(): void {
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // storage disabled
  }
}
