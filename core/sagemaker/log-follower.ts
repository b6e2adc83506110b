// Follows a job's CloudWatch Logs: its streams are those of the job's log group whose names start with the
// job name (one per instance, e.g. `<job>/algo-1-1700000000`); each is read from its head and then from the
// last forward token, so every line arrives once, in order per stream, while the job runs.
import { DescribeLogStreamsCommand, GetLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';

export class LogFollower {
  private readonly tokens = new Map<string, string | undefined>();

  constructor(
    private readonly logs: CloudWatchLogsClient,
    private readonly group: string,
    private readonly job: string,
    private readonly onLine: (text: string, stream: string) => void,
  ) {}

  /** Reads what is new in every stream of the job; returns how many lines that was. */
  async poll(signal?: AbortSignal): Promise<number> {
    let streams: string[];
    try {
      const out = await this.logs.send(new DescribeLogStreamsCommand({ logGroupName: this.group, logStreamNamePrefix: `${this.job}/` }), { abortSignal: signal });
      streams = (out.logStreams ?? []).map((s) => s.logStreamName ?? '').filter(Boolean);
    } catch (err) {
      // The group appears with the first job of an account that writes logs; until then there is nothing to read.
      if ((err as { name?: string }).name === 'ResourceNotFoundException') return 0;
      throw err;
    }
    let read = 0;
    for (const stream of streams.sort()) {
      for (;;) {
        const token = this.tokens.get(stream);
        const page = await this.logs.send(
          new GetLogEventsCommand({ logGroupName: this.group, logStreamName: stream, startFromHead: true, ...(token ? { nextToken: token } : {}) }),
          { abortSignal: signal },
        );
        for (const e of page.events ?? []) {
          for (const text of (e.message ?? '').replace(/\n$/, '').split('\n')) this.onLine(text, stream);
          read++;
        }
        // The service answers the same token when a stream has nothing newer.
        const next = page.nextForwardToken;
        const done = !next || next === token || !(page.events ?? []).length;
        if (next) this.tokens.set(stream, next);
        if (done) break;
      }
    }
    return read;
  }
}
