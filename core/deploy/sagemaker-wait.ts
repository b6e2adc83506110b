// Waiting for an endpoint to settle: DescribeEndpoint with backoff (SageMaker takes minutes; a fast first
// poll still catches quick failures), progress on every status change and now and then while it lasts, and
// the deploy's AbortSignal ending the wait at once.
import { DescribeEndpointCommand, type DescribeEndpointCommandOutput, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { awsProblem } from '../aws/errors';

export interface PollTiming {
  firstMs: number;
  maxMs: number;
}

export const DEFAULT_POLL: PollTiming = { firstMs: 2000, maxMs: 30000 };
const SETTLED = new Set(['InService', 'Failed', 'OutOfService']);

export class WaitCancelled extends Error {
  constructor(readonly lastStatus: string) {
    super('cancelled');
  }
}

export function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const done = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', done);
      resolve();
    }, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

const elapsed = (ms: number) => (ms < 60000 ? `${Math.round(ms / 1000)}s` : `${Math.floor(ms / 60000)}m ${Math.round((ms % 60000) / 1000)}s`);

/** DescribeEndpoint until the status settles; throws WaitCancelled when `signal` fires first. */
export async function waitForEndpoint(sm: SageMakerClient, name: string, timing: PollTiming, progress: (msg: string) => void, signal: AbortSignal): Promise<DescribeEndpointCommandOutput> {
  const started = Date.now();
  let wait = timing.firstMs;
  let last = '';
  let reported = started;
  for (;;) {
    if (signal.aborted) throw new WaitCancelled(last);
    let out: DescribeEndpointCommandOutput;
    try {
      out = await sm.send(new DescribeEndpointCommand({ EndpointName: name }), { abortSignal: signal });
    } catch (e) {
      if (signal.aborted) throw new WaitCancelled(last);
      throw awsProblem(e, `read the state of endpoint ${name}`);
    }
    const status = out.EndpointStatus ?? 'unknown';
    if (SETTLED.has(status)) return out;
    const now = Date.now();
    if (status !== last || now - reported >= 60000) {
      progress(`endpoint ${name}: ${status} (${elapsed(now - started)})`);
      reported = now;
    }
    last = status;
    try {
      await delay(wait, signal);
    } catch {
      throw new WaitCancelled(last);
    }
    wait = Math.min(timing.maxMs, Math.round(wait * 1.5));
  }
}
