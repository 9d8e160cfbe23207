import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseUpload } from '../../../src/modules/datasets/parse/index';
import { collect, fixedChunks } from './helpers';

const FILE = '/work/shared/datasets/febrl4/dataset4a.csv';

describe.skipIf(!existsSync(FILE))('FEBRL sample dataset4a.csv', () => {
  it('parses 5000 rows and 11 columns, trimmed, keeping leading zeros', async () => {
    const data = readFileSync(FILE);
    const upload = await parseUpload(fixedChunks(data, 8192), { filename: 'dataset4a.csv' });
    const rows = await collect(upload);
    expect(upload.format).toBe('csv');
    expect(upload.encoding).toBe('utf-8');
    expect(rows).toHaveLength(5000);
    expect(upload.columns()).toEqual([
      'rec_id',
      'given_name',
      'surname',
      'street_number',
      'address_1',
      'address_2',
      'suburb',
      'postcode',
      'state',
      'date_of_birth',
      'soc_sec_id',
    ]);
    expect(rows[0]).toMatchObject({ line: 2, values: { rec_id: 'rec-1070-org', given_name: 'michaela', surname: 'neumann' } });
    expect(rows[4999]!.line).toBe(5001);
    expect(rows.every((r) => typeof r.values.rec_id === 'string' && /^rec-\d+-org$/.test(r.values.rec_id))).toBe(true);
    const untrimmed = rows.filter((r) => Object.values(r.values).some((v) => typeof v === 'string' && v !== v.trim()));
    expect(untrimmed).toEqual([]);
    // leading zeros survive: 37 postcodes start with 0, e.g. rec-842-org in 0812
    expect(rows.find((r) => r.values.rec_id === 'rec-842-org')!.values.postcode).toBe('0812');
    expect(rows.filter((r) => String(r.values.postcode).startsWith('0'))).toHaveLength(37);
    expect(rows.every((r) => r.values.soc_sec_id === null || /^\d+$/.test(String(r.values.soc_sec_id)))).toBe(true);
    expect(rows.every((r) => Object.values(r.values).every((v) => v === null || typeof v === 'string'))).toBe(true);
  });
});
