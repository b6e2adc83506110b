// Exit codes scripts can rely on (documented in docs/cli.md) and the error a command throws when
// the user asked for something impossible: it is printed with a remedy, never as a stack trace.

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

export class UsageError extends Error {
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
