// A failure the user can act on: what went wrong and one line of what to do, never a stack trace. Services
// (AWS, MLflow) and commands throw it; the CLI's main prints every one the same way and exits 1.
// `instanceof Failure` answers by a brand (core/brand.ts): the AWS code and each CLI command have their own copy.
import { isBranded } from './brand';

const BRAND = Symbol.for('flowbench.Failure');

export class Failure extends Error {
  readonly [BRAND] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return isBranded(this, Failure, BRAND, value);
  }

  constructor(
    message: string,
    /** One line: what to do about it. */
    readonly remedy?: string,
  ) {
    super(message);
  }
}
