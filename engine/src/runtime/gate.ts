// A quality gate with severity "fail" tripped: the run stops with its own outcome and exit code.
import { UserError } from './exec-context.js';

export class GateFailure extends UserError {
  override readonly name = 'GateFailure';
}
