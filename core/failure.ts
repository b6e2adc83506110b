// A failure the user can act on: what went wrong and one line of what to do, never a stack trace. Services
// (AWS, MLflow) and commands throw it; the CLI's main prints every one the same way and exits 1.
// Recognised by a brand, not `instanceof`: the AWS code runs from its own bundle (dist/aws-services.js), with
// its own copy of this class.

const BRAND = Symbol.for('flowbench.Failure');

export class Failure extends Error {
  readonly [BRAND] = true;
  constructor(
    message: string,
    /** One line: what to do about it. */
    readonly remedy?: string,
  ) {
    super(message);
  }
}

export function isFailure(error: unknown): error is Failure {
  return typeof error === 'object' && error !== null && BRAND in error;
}
