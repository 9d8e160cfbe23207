import { describe, expect, it } from 'vitest';
import type { StoredFieldMapping } from '../../src/db/schema';
import { authorizationFor, repairedQuery } from '../../src/http/rest/url-key';
import { escapeHtml, renderPreviewHtml } from '../../src/modules/reconciliation/preview';
import { featureIds, nameMapping } from '../../src/modules/reconciliation/service';

const mapping = (
  source: string,
  target: string,
  strategy: StoredFieldMapping['strategy'],
  extra: Partial<StoredFieldMapping> = {},
): StoredFieldMapping => ({
  source,
  target,
  strategy,
  weight: 1,
  ...extra,
});

describe('the name mapping of a reconciliation service', () => {
  it('is the first text mapping whose reference column looks like a name', () => {
    const mappings = [mapping('vat', 'vat_number', 'exact'), mapping('town', 'city', 'fuzzy'), mapping('vendor', 'Company Name', 'fuzzy')];
    expect(nameMapping(mappings)?.source).toBe('vendor');
    expect(nameMapping([mapping('t', 'job_title', 'exact'), mapping('n', 'name', 'fuzzy')])?.target).toBe('job_title');
  });

  it('else the first fuzzy or phonetic one, else the first text one; never a date, number or multi-column field', () => {
    expect(nameMapping([mapping('vat', 'vat', 'exact'), mapping('town', 'city', 'phonetic')])?.target).toBe('city');
    expect(nameMapping([mapping('day', 'day', 'date_range'), mapping('vat', 'vat', 'exact')])?.target).toBe('vat');
    expect(
      nameMapping([mapping('record', 'name', 'fuzzy', { sourceColumns: ['a', 'b'], targetColumns: ['name', 'city'] })]),
    ).toBeUndefined();
    expect(nameMapping([mapping('day', 'day', 'date_range'), mapping('amount', 'amount', 'numeric_range')])).toBeUndefined();
  });
});

describe('feature ids', () => {
  it('are source columns, told apart by their target (then a number) when a column feeds several mappings', () => {
    expect(
      featureIds([
        { source: 'name', target: 'name' },
        { source: 'name', target: 'alias' },
        { source: 'town', target: 'city' },
        { source: 'name', target: 'alias' },
      ]),
    ).toEqual(['name→name', 'name→alias', 'town', 'name→alias (2)']);
  });
});

describe('keys in URLs', () => {
  it('reads parameters glued to the key by a second "?" as parameters', () => {
    const query = repairedQuery(new URLSearchParams('key=ck_abc?prefix=ac&limit=3&x=1'));
    expect(query.get('key')).toBe('ck_abc');
    expect(query.get('prefix')).toBe('ac');
    expect(query.get('limit')).toBe('3');
    const untouched = new URLSearchParams('key=ck_abc&prefix=ac');
    expect(repairedQuery(untouched)).toBe(untouched);
  });

  it('and those glued to the strategy, the last value of a URL whose key is in the header', () => {
    const query = repairedQuery(new URLSearchParams('strategy_id=0b1c?prefix=ac?d&limit=3'));
    expect([...query]).toEqual([
      ['strategy_id', '0b1c'],
      ['prefix', 'ac?d'],
      ['limit', '3'],
    ]);
    const both = repairedQuery(new URLSearchParams('strategy_id=0b1c&key=ck_abc?id=V1'));
    expect([...both]).toEqual([
      ['strategy_id', '0b1c'],
      ['key', 'ck_abc'],
      ['id', 'V1'],
    ]);
    // Any other parameter may hold a "?" of its own.
    const own = new URLSearchParams('key=ck_abc&prefix=what?');
    expect(repairedQuery(own).get('prefix')).toBe('what?');
  });

  it('take the key from the URL or the header, never both and never twice', () => {
    expect(authorizationFor(new URLSearchParams('key=ck_x'), undefined)).toEqual({ authorization: 'Bearer ck_x', fromUrl: true });
    expect(authorizationFor(new URLSearchParams(''), 'Bearer ck_y')).toEqual({ authorization: 'Bearer ck_y', fromUrl: false });
    expect(() => authorizationFor(new URLSearchParams('key=ck_x'), 'Bearer ck_y')).toThrow(/not both/);
    expect(() => authorizationFor(new URLSearchParams('key=a&key=b'), undefined)).toThrow(/more than once/);
  });
});

describe('the preview card', () => {
  it('escapes every value, column name and the title', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    const html = renderPreviewHtml({
      name: '<script>alert(1)</script>',
      externalId: '"><svg onload=alert(2)>',
      datasetName: 'Vendors & Co',
      columns: [
        { name: '<b>col</b>', value: '<img src=x onerror=alert(3)>' },
        { name: 'nested', value: { html: '<i>' } },
        { name: 'long', value: 'x'.repeat(400) },
      ],
    });
    expect(html).not.toMatch(/<(script|svg|img|b|i)[\s>]/);
    expect(html).toContain('<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>');
    expect(html).toContain('&quot;&gt;&lt;svg onload=alert(2)&gt; · Vendors &amp; Co');
    expect(html).toContain(`<td>${'x'.repeat(300)}…</td>`);
  });

  it('shows at most 20 columns and says how many more there are', () => {
    const columns = Array.from({ length: 25 }, (_, i) => ({ name: `c${i}`, value: i }));
    const html = renderPreviewHtml({ name: 'n', externalId: 'e', datasetName: 'd', columns });
    expect(html.match(/<tr>/g)).toHaveLength(20);
    expect(html).toContain('5 more columns');
  });
});
