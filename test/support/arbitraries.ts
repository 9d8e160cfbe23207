/** fast-check arbitraries for hostile input: strings, JSON values and near-valid variants of a valid body. */
import fc from 'fast-check';

export const SQL_INJECTIONS = [
  `'; drop table datasets; --`,
  `' or '1'='1`,
  `1; select pg_sleep(5); --`,
  `"; delete from runs where "1"="1`,
  `') union select * from api_keys --`,
  `\\'; truncate matching_configs; --`,
];

/** Strings a careless parser trips over: NaN-like, numbers as text, unicode, control characters, long ones. */
export const NASTY_STRINGS = [
  '',
  ' ',
  'NaN',
  'Infinity',
  '-Infinity',
  'null',
  'undefined',
  'true',
  '-1',
  '0',
  '1e309',
  '-0',
  '9007199254740993',
  '99999999999999999999999999',
  '0x10',
  '1.5',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  '%',
  '%00',
  '%E0%A4%A',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '👩‍👩‍👧‍👦',
  'ﬀ\u202e\u200b',
  'Ⅻ𝟘٣',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  'RGF0YXNldDo=',
  'UnVuOg==',
  ...SQL_INJECTIONS,
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.string({ maxLength: 20 }), fc.integer({ min: 1, max: 3000 })).map(([text, times]) => text.repeat(times)),
  },
  { weight: 1, arbitrary: fc.constant('x'.repeat(100_000)) },
);

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    1,
    1e308,
    -1e308,
    5e-324,
    Number.MAX_SAFE_INTEGER + 2,
    -Number.MAX_SAFE_INTEGER - 2,
    2 ** 31,
    2 ** 63,
    0.1 + 0.2,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** A deeply nested array or object (JSON parsers and recursive validators). */
export const deepNesting: fc.Arbitrary<unknown> = fc.integer({ min: 50, max: 3000 }).chain((depth) =>
  fc.constantFrom('array', 'object').map((kind) => {
    let value: unknown = 1;
    for (let i = 0; i < depth; i++) value = kind === 'array' ? [value] : { a: value };
    return value;
  }),
);

/** Any JSON value, with hostile leaves. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 2, arbitrary: hostileString },
  { weight: 1, arbitrary: hostileNumber },
  { weight: 1, arbitrary: deepNesting },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [null], [{}]) },
  {
    weight: 2,
    arbitrary: fc.dictionary(
      fc.oneof(
        hostileString.filter((key) => key.length < 200),
        fc.string(),
      ),
      fc.oneof(hostileString, hostileNumber, fc.jsonValue({ maxDepth: 2 })),
      {
        maxKeys: 6,
      },
    ),
  },
);

/** A value of the wrong kind for any field. */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  hostileNumber,
  deepNesting,
  fc.constantFrom(null, true, [], {}, [[]], { $gt: '' }),
);

function paths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const here = prefix.length ? [prefix] : [];
  if (Array.isArray(value)) return [...here, ...value.flatMap((item, index) => paths(item, [...prefix, index]))];
  if (value && typeof value === 'object')
    return [...here, ...Object.entries(value).flatMap(([key, item]) => paths(item, [...prefix, key]))];
  return here;
}

function setAt(value: unknown, path: Array<string | number>, replacement: unknown, remove: boolean): unknown {
  if (!path.length) return replacement;
  const [head, ...rest] = path;
  // An added key under an array (`add` op) turns it into an object with the array's entries (no giant sparse arrays).
  if (Array.isArray(value) && typeof head === 'number') {
    const copy = [...value];
    if (remove && !rest.length) copy.splice(head as number, 1);
    else copy[head as number] = setAt(copy[head as number], rest, replacement, remove);
    return copy;
  }
  const copy = { ...(value as Record<string, unknown>) };
  if (remove && !rest.length) delete copy[head as string];
  else copy[head as string] = setAt(copy[head as string], rest, replacement, remove);
  return copy;
}

/**
 * Near-valid variants of a valid body: one to three fields (at any depth) replaced by a wrong-typed or hostile value,
 * removed, or an unknown key added.
 */
export function nearValid(valid: unknown): fc.Arbitrary<unknown> {
  const all = paths(valid);
  if (!all.length) return hostileJson;
  const mutation = fc.record({
    path: fc.constantFrom(...all),
    value: wrongValue,
    op: fc.constantFrom('replace', 'replace', 'replace', 'remove', 'add'),
    key: fc.oneof(
      hostileString.filter((key) => key.length < 100),
      fc.constantFrom('__proto__', 'constructor', 'id', 'workspace_id'),
    ),
  });
  return fc.array(mutation, { minLength: 1, maxLength: 3 }).map((mutations) =>
    mutations.reduce<unknown>((body, { path, value, op, key }) => {
      if (op === 'add') {
        const parent = path.slice(0, -1);
        return setAt(body, [...parent, key], value, false);
      }
      return setAt(body, path, value, op === 'remove');
    }, valid),
  );
}

/** A body for a JSON route: arbitrary JSON half the time, near-valid variants of `valid` the other half. */
export function hostileBody(valid: unknown): fc.Arbitrary<unknown> {
  return fc.oneof(hostileJson, nearValid(valid), nearValid(valid));
}

/** encodeURIComponent, with lone surrogates (which it refuses) sent as the replacement character. */
function encodeSegment(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '\ufffd'));
  }
}

/** A path segment: hostile text, URL-encoded (so it reaches the handler) or raw (malformed escapes included). */
export const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  hostileString.filter((text) => text.length < 2000).map(encodeSegment),
  fc.constantFrom('%', '%E0%A4%A', '%ZZ', '%00', '%2F..%2F', '%ff', '..', '%u0041', "'%20or%201=1--"),
);
