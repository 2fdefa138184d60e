// The guard's rejection reasons are sentences with the offending value in them
// (`non-positive tick_size "0"`), one per market or joined with "; ". A label needs a fixed set,
// so each reason is classified by the field its first problem names.

export const REJECTION_REASONS = ['duplicate_key', 'tick_size', 'tick_size_steps', 'price_significant_digits', 'lot_size', 'conversion', 'other'] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

// Order matters: "... tick_size in tick_size_steps" is a steps problem.
const PATTERNS: ReadonlyArray<readonly [RegExp, RejectionReason]> = [
  [/^duplicate instrument_key\b/, 'duplicate_key'],
  [/\btick_size_steps\b/, 'tick_size_steps'],
  [/\btick_size\b/, 'tick_size'],
  [/\bprice_significant_digits\b/, 'price_significant_digits'],
  [/\blot_size\b/, 'lot_size'],
  [/^conversion failed\b/, 'conversion'],
];

export function rejectionReason(reason: string): RejectionReason {
  const first = reason.split('; ')[0] ?? '';
  return PATTERNS.find(([pattern]) => pattern.test(first))?.[1] ?? 'other';
}
