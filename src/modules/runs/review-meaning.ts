/**
 * What a review decision means, in one place: the API's descriptions (GraphQL, OpenAPI), the dashboard's buttons,
 * docs/runs.md and the labels strategies learn from (reviewLabel) say the same. A result shows one pair: its source row
 * and the reference row whose evidence it shows (the matched row; without a match, the best candidate). A review
 * judges the result's decision on that pair.
 */
export const REVIEW_MEANING = {
  approved:
    "The result is right as shown. A matched result: its reference row is the source row's match. A result without a match: the source row has no match (its best candidate, whose evidence is shown, is not one).",
  rejected:
    'The result is wrong as shown. A matched result: its reference row is not the match. A result without a match: its best candidate, whose evidence is shown, is the match.',
} as const;

/** The label a review gives the pair its result shows (see REVIEW_MEANING): true = the pair is a match. */
export function reviewLabel(status: 'approved' | 'rejected', matched: boolean): boolean {
  return (status === 'approved') === matched;
}

/** Whether a review says more than its label (see REVIEW_MEANING): approving a result without a match says the source
 *  row has no match at all, not only that the candidate shown is not one. */
export function reviewSaysNoMatch(status: 'approved' | 'rejected', matched: boolean): boolean {
  return status === 'approved' && !matched;
}
