// Exit codes scripts can rely on (documented in docs/cli.md) and the error a command throws when
// the user asked for something impossible: it is printed with a remedy, never as a stack trace.
import { isBranded } from '../brand';

export const EXIT = {
  ok: 0,
  /** A step failed, or the flow has validation errors. */
  failed: 1,
  usage: 2,
  /** With --no-wait: another run is using the folder's state (EX_TEMPFAIL: try again later). */
  busy: 75,
  /** 128 + SIGINT, what shells report for an interrupted command. */
  cancelled: 130,
} as const;

// Each command runs from a bundle of its own (dist/lazy/core-cli-commands-*.js, see core/cli/main.ts), with its
// own copy of these classes: `instanceof` answers by a brand (core/brand.ts).
const USAGE_ERROR = Symbol.for('flowbench.cli.UsageError');
const REPORTED_FAILURE = Symbol.for('flowbench.cli.ReportedFailure');

export class UsageError extends Error {
  readonly [USAGE_ERROR] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return isBranded(this, UsageError, USAGE_ERROR, value);
  }

  constructor(
    message: string,
    /** What to do about it, one line. */
    readonly remedy?: string,
    /** Which command's usage to show. */
    readonly command?: string,
  ) {
    super(message);
  }
}

/** Thrown after the problems were printed: the command ends with this exit code and says nothing more. */
export class ReportedFailure extends Error {
  readonly [REPORTED_FAILURE] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return isBranded(this, ReportedFailure, REPORTED_FAILURE, value);
  }

  constructor(readonly exitCode: number) {
    super('reported');
  }
}
