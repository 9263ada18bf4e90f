// Documented exit codes of `sluice`, relied on by scripts and schedulers.
export const EXIT = {
  ok: 0,
  runFailed: 1,
  invalid: 2,
  gateFailed: 3,
  /** Some branches failed, others published: resume the run to finish it. */
  partial: 4,
} as const;
