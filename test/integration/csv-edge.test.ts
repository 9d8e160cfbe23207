/**
 * CSV edge cases over the real upload route (multipart POST /v1/reference-data and /v1/source-data): each is a
 * correct import or a 400 naming the line, never a 500 and never partial state. Exports neutralise formula injection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestWorkspace } from '../support/server';
import { expectErrorShape, request, type JsonResponse } from '../support/http';
import { uploadForm } from '../support/fixtures';
import { startWorker } from '../../src/worker';
import { waitForRun } from './runs-fixture';

let server: TestServer;
let ws: TestWorkspace;

beforeAll(async () => {
  server = await startTestServer({ RUN_WORKER: false });
  ws = await server.newWorkspace('csv-edge');
});

afterAll(async () => {
  await server?.close();
});

async function counts(): Promise<{ datasets: number; rows: number }> {
  const [row] = await server.app
    .sql`select (select count(*) from datasets)::int as datasets, (select count(*) from dataset_rows)::int as rows`;
  return row as { datasets: number; rows: number };
}

async function upload(
  file: Buffer | string,
  fields: Record<string, string> = {},
  kind: 'reference' | 'source' = 'reference',
): Promise<JsonResponse> {
  return request(server.url, 'POST', kind === 'reference' ? '/v1/reference-data' : '/v1/source-data', {
    key: ws.key,
    body: uploadForm(file, 'data.csv', { name: 'edge', ...fields }),
  });
}

/** An upload that must import: 201, and the rows as stored. */
async function imports(file: Buffer | string, fields: Record<string, string> = {}): Promise<{ table: any; rows: any[] }> {
  const response = await upload(file, fields);
  expect(response.status, JSON.stringify(response.body)?.slice(0, 500)).toBe(201);
  const rows = await request(server.url, 'GET', `/v1/reference-data/${response.body.id}/rows?limit=500`, { key: ws.key });
  expect(rows.status).toBe(200);
  return { table: response.body, rows: rows.body.data };
}

/** An upload that must be refused with a 400 naming `line` (when given), leaving no dataset and no row behind. */
async function refused(file: Buffer | string, line?: number, fields: Record<string, string> = {}): Promise<JsonResponse> {
  const before = await counts();
  const response = await upload(file, fields);
  expect(response.status, JSON.stringify(response.body)?.slice(0, 500)).toBe(400);
  expectErrorShape(response.body, 'validation_error');
  if (line !== undefined) {
    const named = `${response.body.message} ${JSON.stringify(response.body.details ?? [])}`;
    expect(named, 'the error names the line').toMatch(new RegExp(`\\b[Ll]ine ${line}\\b`));
  }
  expect(await counts()).toEqual(before);
  return response;
}

describe('CSV uploads: edge cases', { timeout: 120_000 }, () => {
  it('a UTF-8 BOM is not part of the first column name', async () => {
    const { table, rows } = await imports('\ufeffid,name\n1,Acme\n', { id_column: 'id' });
    expect(table.columns.map((column: any) => column.name)).toEqual(['id', 'name']);
    expect(rows[0]).toMatchObject({ external_id: '1', values: { id: '1', name: 'Acme' } });
  });

  it('CRLF line ends (and a missing last line end)', async () => {
    const { table, rows } = await imports('id,name\r\n1,Acme\r\n2,Globex', { id_column: 'id' });
    expect(table.row_count).toBe(2);
    expect(rows.map((row) => row.values)).toEqual([
      { id: '1', name: 'Acme' },
      { id: '2', name: 'Globex' },
    ]);
  });

  it('embedded newlines and quotes in quoted cells; line numbers after them stay right', async () => {
    const { rows } = await imports('id,note\r\n1,"line one\r\nline two"\r\n2,"he said ""hi"", then left"\r\n3,"a\nb"\r\n', {
      id_column: 'id',
    });
    expect(rows.map((row) => row.values.note)).toEqual(['line one\r\nline two', 'he said "hi", then left', 'a\nb']);
    // The broken row starts on line 5 (the quoted cell of row 1 spans lines 2-3).
    await refused('id,note\n1,"x\ny"\n2,b\n3,"unterminated\n', 5);
  });

  it('Latin-1 files are decoded', async () => {
    const { rows } = await imports(Buffer.from('id,name\n1,Müller\n2,Ærø Façade\n', 'latin1'), { id_column: 'id' });
    expect(rows.map((row) => row.values.name)).toEqual(['Müller', 'Ærø Façade']);
  });

  it('header only: a table with columns and no rows; an empty file: 400', async () => {
    const response = await upload('id,name\n', { id_column: 'id' });
    if (response.status === 201) {
      expect(response.body.row_count).toBe(0);
      expect(response.body.columns.map((column: any) => column.name)).toEqual(['id', 'name']);
    } else {
      expect(response.status, JSON.stringify(response.body)).toBe(400);
      expectErrorShape(response.body, 'validation_error');
    }
    await refused('');
    await refused('\n\n');
  });

  it('duplicate header names: 400 naming line 1', async () => {
    await refused('id,name,name\n1,a,b\n', 1);
    await refused('id, name ,name\n1,a,b\n', 1);
  });

  it('a row with the wrong number of fields: 400 naming its line, no partial rows', async () => {
    const lines = ['id,name'];
    for (let i = 1; i <= 3000; i++) lines.push(`${i},n${i}`);
    lines.push('3001,a,b,c');
    await refused(`${lines.join('\n')}\n`, 3002);
  });

  it('10,000 columns are accepted, 10,001 are a 400 naming the header line', async () => {
    const header = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`).join(',');
    const row = (n: number) => Array.from({ length: n }, (_, i) => `${i}`).join(',');
    const ok = await upload(`${header(10_000)}\n${row(10_000)}\n`);
    expect(ok.status, JSON.stringify(ok.body)?.slice(0, 300)).toBe(201);
    expect(ok.body.columns).toHaveLength(10_000);
    expect(ok.body.row_count).toBe(1);
    await refused(`${header(10_001)}\n${row(10_001)}\n`, 1);
  });

  it('a 1 MB cell is accepted whole', async () => {
    const big = 'é'.repeat(512 * 1024);
    const { rows } = await imports(`id,blob\n1,${big}\n2,small\n`, { id_column: 'id' });
    expect(rows[0].values.blob).toBe(big);
    expect(rows[1].values.blob).toBe('small');
  });

  it('NUL bytes: 400 naming the line', async () => {
    await refused('id,name\n1,a\n2,b\u0000c\n', 3);
    await refused(Buffer.from([0x69, 0x64, 0x0a, 0x31, 0x00, 0x0a]), 2);
  });

  it('uploads as source data follow the same rules (no partial state on a late error)', async () => {
    const before = await counts();
    const lines = ['doc,name'];
    for (let i = 1; i <= 2000; i++) lines.push(`d${i},n${i}`);
    lines.push('d1,duplicate');
    const response = await upload(`${lines.join('\n')}\n`, { id_column: 'doc' }, 'source');
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    expectErrorShape(response.body, 'validation_error');
    expect(await counts()).toEqual(before);
  });
});

describe('CSV exports neutralise formula injection', { timeout: 120_000 }, () => {
  const hostile = ['=SUM(A1:A9)', '+cmd|calc', '-2+3', '@SUM(1)', '=HYPERLINK("http://x","y")', '\t=1'];
  const plain = ['-5', '-1.5', '+7', '3', 'text', '1e5'];

  function parseCsv(text: string): string[][] {
    const rows: string[][] = [];
    let row: string[] = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
      const char = text[i]!;
      if (quoted) {
        if (char === '"' && text[i + 1] === '"') {
          cell += '"';
          i++;
        } else if (char === '"') quoted = false;
        else cell += char;
      } else if (char === '"') quoted = true;
      else if (char === ',') {
        row.push(cell);
        cell = '';
      } else if (char === '\r' && text[i + 1] === '\n') {
        row.push(cell);
        rows.push(row);
        row = [];
        cell = '';
        i++;
      } else cell += char;
    }
    if (cell || row.length) rows.push([...row, cell]);
    return rows;
  }

  const expected = (value: string) => (plain.includes(value) ? value : `'${value}`);

  it('GET …/export of reference and source data', async () => {
    const data = [...hostile, ...plain].map((value, index) => ({ id: `r${index}`, value }));
    for (const kind of ['reference', 'source'] as const) {
      const created = await request(server.url, 'POST', `/v1/${kind}-data`, {
        key: ws.key,
        json: { name: 'formulas', id_column: 'id', trim: false, data },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const exported = await request(server.url, 'GET', `/v1/${kind}-data/${created.body.id}/export`, { key: ws.key });
      expect(exported.status).toBe(200);
      expect(exported.headers.get('content-type')).toMatch(/^text\/csv/);
      const rows = parseCsv(exported.body as string);
      const header = rows[0]!;
      const column = header.indexOf('value');
      expect(column).toBeGreaterThanOrEqual(0);
      const values = rows.slice(1).map((row) => row[column]);
      expect(values).toEqual(data.map((row) => expected(row.value)));
    }
  });

  it('GET /v1/matching/runs/:id/results?format=csv', async () => {
    const reference = await request(server.url, 'POST', '/v1/reference-data', {
      key: ws.key,
      json: {
        name: 'ref',
        id_column: 'id',
        data: [
          { id: '=1+1', name: '@acme' },
          { id: '-3', name: 'globex' },
        ],
      },
    });
    const source = await request(server.url, 'POST', '/v1/source-data', {
      key: ws.key,
      json: {
        name: 'src',
        id_column: 'doc',
        filename_column: 'file',
        data: [
          { doc: '=cmd|calc', file: '+evil.pdf', vendor: '@acme' },
          { doc: '-7', file: '-x.pdf', vendor: 'globex' },
        ],
      },
    });
    const config = await request(server.url, 'POST', '/v1/matching/configs', {
      key: ws.key,
      json: {
        name: 'formula run',
        reference_data_id: reference.body.id,
        source_data_id: source.body.id,
        field_mappings: [{ source: 'vendor', target: 'name', strategy: 'exact', weight: 1 }],
        threshold: 0.5,
      },
    });
    expect(config.status, JSON.stringify(config.body)).toBe(201);
    const worker = await startWorker(server.app, { databaseUrl: server.database.url, schedules: false });
    try {
      const run = await request(server.url, 'POST', `/v1/matching/configs/${config.body.id}/run`, { key: ws.key });
      const done = await waitForRun(server.url, ws.key, run.body.id, undefined, 60_000);
      expect(done.status, JSON.stringify(done)).toBe('completed');
      const csv = await request(server.url, 'GET', `/v1/matching/runs/${run.body.id}/results?format=csv`, { key: ws.key });
      expect(csv.status).toBe(200);
      const text = csv.body as string;
      const cells = parseCsv(text).flat();
      // No cell starts a formula; the hostile values are there with a leading apostrophe; plain numbers stay.
      for (const cell of cells) expect(cell, `cell ${JSON.stringify(cell)}`).not.toMatch(/^[=+@\t\r]|^-(?!\d+(\.\d+)?$)/);
      expect(cells).toContain(`'=cmd|calc`);
      expect(cells).toContain(`'+evil.pdf`);
      expect(cells).toContain('-7');
      expect(cells).toContain(`'-x.pdf`);
    } finally {
      await worker.stop();
    }
  });
});
