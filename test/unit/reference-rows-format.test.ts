import { describe, expect, it } from 'vitest';
import { rowsFormat } from '../../src/http/rest/datasets';
import { UnsupportedMediaTypeError } from '../../src/errors';

describe('the format of a row upsert body, from its Content-Type', () => {
  it('JSON for application/json, +json types and no type; NDJSON for its usual names; 415 otherwise', () => {
    for (const type of [
      undefined,
      '',
      'application/json',
      'application/json; charset=utf-8',
      'application/vnd.api+json',
      'APPLICATION/JSON',
    ]) {
      expect(rowsFormat(type), String(type)).toBe('json');
    }
    for (const type of [
      'application/x-ndjson',
      'application/ndjson',
      'application/jsonl',
      'application/x-jsonlines',
      'application/jsonlines; charset=utf-8',
    ]) {
      expect(rowsFormat(type), type).toBe('ndjson');
    }
    for (const type of ['text/csv', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded']) {
      expect(() => rowsFormat(type), type).toThrow(UnsupportedMediaTypeError);
    }
  });
});
