// CloudWatch Logs (awsJson1_1, `Logs_20140328.*`) over an in-memory store of groups and streams: the two
// calls a log follower makes, DescribeLogStreams (by name prefix) and GetLogEvents (from the head, paged by
// forward tokens). A token encodes the index of the next event, so a follower that asks again with the last
// `nextForwardToken` gets only the lines written since — and the same token back when there are none, as
// the service does.
import type { FakeAws } from './server';
import { FakeAwsError } from './server';

export interface FakeLogEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
}

/** Events per GetLogEvents page: small, so a test sees the follower page through a chatty job. */
const PAGE = 50;

export class FakeLogs {
  readonly groups = new Map<string, Map<string, FakeLogEvent[]>>();

  /** Appends one line to `group`/`stream`, creating both as a job's first write does. */
  put(group: string, stream: string, message: string): void {
    const streams = this.groups.get(group) ?? new Map<string, FakeLogEvent[]>();
    this.groups.set(group, streams);
    const events = streams.get(stream) ?? [];
    streams.set(stream, events);
    const now = Date.now();
    events.push({ timestamp: now, message, ingestionTime: now });
  }

  lines(group: string, stream: string): string[] {
    return (this.groups.get(group)?.get(stream) ?? []).map((e) => e.message);
  }
}

export function addLogs(fake: FakeAws): FakeLogs {
  const logs = new FakeLogs();
  const streamsOf = (group: unknown) => {
    const streams = logs.groups.get(String(group));
    if (!streams) throw new FakeAwsError('ResourceNotFoundException', 'The specified log group does not exist.');
    return streams;
  };
  fake.on('Logs_20140328.DescribeLogStreams', (input) => {
    const prefix = String(input.logStreamNamePrefix ?? '');
    const names = [...streamsOf(input.logGroupName).keys()].filter((n) => n.startsWith(prefix)).sort();
    return {
      logStreams: names.map((logStreamName) => {
        const events = logs.groups.get(String(input.logGroupName))!.get(logStreamName)!;
        return { logStreamName, creationTime: events[0]?.timestamp ?? 0, lastEventTimestamp: events.at(-1)?.timestamp, arn: `arn:aws:logs:us-east-1:000000000000:log-group:${String(input.logGroupName)}:log-stream:${logStreamName}` };
      }),
    };
  });
  fake.on('Logs_20140328.GetLogEvents', (input) => {
    const events = streamsOf(input.logGroupName).get(String(input.logStreamName));
    if (!events) throw new FakeAwsError('ResourceNotFoundException', 'The specified log stream does not exist.');
    const token = typeof input.nextToken === 'string' ? input.nextToken : undefined;
    if (!token && input.startFromHead !== true) throw new FakeAwsError('InvalidParameterException', 'the fake models reading from the head only (startFromHead: true)');
    const from = token ? Number(/^f\/(\d+)$/.exec(token)?.[1] ?? NaN) : 0;
    if (!Number.isInteger(from)) throw new FakeAwsError('InvalidParameterException', 'The specified nextToken is invalid.');
    const page = events.slice(from, from + PAGE);
    const next = from + page.length;
    return { events: page, nextForwardToken: `f/${next}`, nextBackwardToken: `b/${from}` };
  });
  return logs;
}
