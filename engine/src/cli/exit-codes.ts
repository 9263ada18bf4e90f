// Documented exit codes of `sluice`, relied on by scripts and schedulers.
export const EXIT = {
  ok: 0,
  runFailed: 1,
  invalid: 2,
  gateFailed: 3,
} as const;
