import { describe, expect, it } from 'vitest';
import { parsePrompt, PromptNotUnderstoodError } from '../../../src/matching/smart/index';

const columns = ['given_name', 'surname', 'date_of_birth', 'price', 'soc_sec_id', 'address_2', 'Postcode'];

describe('user_prompt parser', () => {
  it('understands the documented instructions, in sentences and clauses', () => {
    const d = parsePrompt(
      'Ignore address_2 and soc_sec_id. Emphasise surname, then focus on given_name; postcode must match exactly. Dates may differ by 3 days. Prices may differ by 5%. Each reference matches at most once.',
      columns,
    );
    expect([...d.ignore]).toEqual(['address_2', 'soc_sec_id']);
    expect([...d.emphasise]).toEqual(['surname', 'given_name']);
    expect([...d.exact]).toEqual(['Postcode']);
    expect(d.toleranceDays.get('*')).toBe(3);
    expect(d.tolerancePct.get('*')).toBe(5);
    expect(d.oneToOne).toBe(true);
  });

  it('accepts variants: emphasize, "is important", per-column tolerances, one-to-one', () => {
    const d = parsePrompt(
      'emphasize the date_of_birth column\nsurname is important\ndate_of_birth may differ by 10 days\nprice may differ by up to 2.5 percent\none-to-one',
      columns,
    );
    expect([...d.emphasise]).toEqual(['date_of_birth', 'surname']);
    expect(d.toleranceDays.get('date_of_birth')).toBe(10);
    expect(d.tolerancePct.get('price')).toBe(2.5);
    expect(d.oneToOne).toBe(true);
  });

  it('an empty prompt changes nothing', () => {
    const d = parsePrompt('  ', columns);
    expect(d.understood).toEqual([]);
  });

  it('rejects instructions it does not understand, naming them and listing what it does understand', () => {
    let error: unknown;
    try {
      parsePrompt('Ignore address_2. Match people who look alike, and be smart', columns);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PromptNotUnderstoodError);
    const e = error as PromptNotUnderstoodError;
    expect(e.instructions).toEqual(['Match people who look alike', 'be smart']);
    expect(e.message).toContain('"Match people who look alike"');
    expect(e.message).toContain('ignore <column>');
  });

  it('rejects unknown column names', () => {
    expect(() => parsePrompt('ignore middle_name', columns)).toThrow(PromptNotUnderstoodError);
    expect(() => parsePrompt('emphasise surname and shoe_size', columns)).toThrow(/shoe_size/);
  });
});
