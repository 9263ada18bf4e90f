// A quality gate with severity "fail" tripped: the run stops with its own outcome and exit code.
export { GateFailure } from '@sluice/format/api/errors';
