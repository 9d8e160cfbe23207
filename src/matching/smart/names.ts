// Column names: normalised forms and synonym groups, so `LastName`, `last_name` and `surname` are recognised as
// the same field. Generic vocabulary of record linkage (people, bibliographic and product records), no dataset.

/** `LastName`, `last-name`, ` LAST NAME ` → `last_name`. */
export function normaliseColumnName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** Names (normalised) that mean the same field. The first entry names the group. */
const SYNONYM_GROUPS: string[][] = [
  ['given_name', 'first_name', 'firstname', 'forename', 'fname', 'first', 'given', 'christian_name'],
  ['surname', 'last_name', 'lastname', 'family_name', 'family', 'lname', 'last'],
  ['middle_name', 'middlename', 'middle', 'middle_initial'],
  ['full_name', 'fullname', 'person_name', 'person', 'customer_name', 'contact_name'],
  ['postcode', 'zip', 'zipcode', 'zip_code', 'postal_code', 'post_code', 'postalcode', 'plz'],
  ['date_of_birth', 'dob', 'birth_date', 'birthdate', 'birthday', 'born', 'd_o_b'],
  ['title', 'name', 'product_name', 'item_name', 'product', 'product_title', 'paper_title'],
  ['manufacturer', 'brand', 'maker', 'make', 'vendor', 'producer'],
  ['authors', 'author', 'creators', 'creator', 'writers', 'writer', 'author_names'],
  ['venue', 'journal', 'conference', 'booktitle', 'publication', 'source_title'],
  ['year', 'pub_year', 'publication_year', 'yr'],
  ['price', 'cost', 'amount', 'unit_price', 'list_price'],
  ['description', 'desc', 'details', 'summary', 'long_description', 'product_description'],
  ['email', 'e_mail', 'email_address', 'mail'],
  ['phone', 'telephone', 'tel', 'phone_number', 'mobile', 'cell', 'phone_no'],
  ['address_1', 'address', 'address1', 'street', 'street_address', 'address_line_1', 'addr1', 'addr'],
  ['address_2', 'address2', 'address_line_2', 'addr2'],
  ['suburb', 'city', 'town', 'locality', 'municipality'],
  ['state', 'province', 'region', 'county'],
  ['country', 'nation', 'country_code'],
  ['soc_sec_id', 'ssn', 'social_security_number', 'national_id', 'national_insurance_number', 'sin'],
  ['street_number', 'house_number', 'street_no', 'house_no', 'number'],
  ['sex', 'gender'],
  ['company', 'organisation', 'organization', 'employer', 'company_name'],
  ['sku', 'product_code', 'item_code', 'part_number', 'mpn'],
];

const GROUP_OF = new Map<string, string>();
for (const group of SYNONYM_GROUPS) for (const n of group) if (!GROUP_OF.has(n)) GROUP_OF.set(n, group[0] as string);

/** The synonym group's name of a column, or its normalised name when it belongs to none. */
export function canonicalColumnName(name: string): string {
  const n = normaliseColumnName(name);
  return GROUP_OF.get(n) ?? GROUP_OF.get(n.replace(/_/g, '')) ?? n;
}

/** Words of a name, singular (`authors` → `author`), without short filler words (`or`, `of`, `id`). */
function words(normalised: string): string[] {
  return normalised
    .split('_')
    .filter((w) => w.length > 2)
    .map((w) => (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w));
}

/** 1: same normalised name; 0.9: synonyms; 0.5: one name's words contain the other's (`home_phone` / `phone`,
 *  `author_list` / `authors`) or a word of one is a synonym of the other (`journal_or_conference` / `venue`);
 *  else 0. */
export function nameSimilarity(a: string, b: string): number {
  const na = normaliseColumnName(a);
  const nb = normaliseColumnName(b);
  if (na === nb) return 1;
  const ca = canonicalColumnName(a);
  const cb = canonicalColumnName(b);
  if (ca === cb) return 0.9;
  const wa = words(na);
  const wb = words(nb);
  if (wa.length > 0 && wb.length > 0 && (wa.every((w) => wb.includes(w)) || wb.every((w) => wa.includes(w)))) return 0.5;
  const groupsA = new Set([ca, ...wa.map((w) => GROUP_OF.get(w) ?? GROUP_OF.get(`${w}s`) ?? w)]);
  const groupsB = new Set([cb, ...wb.map((w) => GROUP_OF.get(w) ?? GROUP_OF.get(`${w}s`) ?? w)]);
  for (const g of groupsA) if (groupsB.has(g)) return 0.5;
  return 0;
}

/** Words in a column name that hint at a kind of field (tested on the normalised name's words and its group). */
export function nameHints(name: string): Set<string> {
  const n = normaliseColumnName(name);
  return new Set([...n.split('_'), canonicalColumnName(name), n]);
}
