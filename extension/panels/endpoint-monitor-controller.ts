// The Endpoint Monitor's host side, vscode-free: the watched deployment, its request log tailed into
// buckets (core/deploy/monitor.ts) and drift against its baseline, or a SageMaker endpoint's CloudWatch
// series. The whole series goes once (on open or Refresh); after that each poll that found something new
// sends only the new or changed buckets. Polls run while the panel is visible (the local log every few
// seconds, CloudWatch once a minute, its resolution), one at a time, and stop when it is hidden or closed;
// back in view, a poll whose interval has passed runs at once. Timers are injected, so tests need no sleeps.
import { join } from 'node:path';
import { readBaseline, type Baseline } from '../../core/deploy/baseline-file';
import { MIN_OBSERVED, PSI_THRESHOLD } from '../../core/deploy/drift';
import { driftOf, MAX_BUCKETS, MonitorAggregator, RequestLogTail } from '../../core/deploy/monitor';
import { deploymentDir } from '../../core/deploy/records';
import type { DeploymentRecord, MonitorSeries } from '../../core/deploy/types';
import type { WireMessage } from '../../webviews/platform/protocol';
import { MonitorDelta, MonitorShown, Refresh, type DriftView, type MonitorTarget, type ViewState } from '../../webviews/endpoint-monitor/contract';
import { changedBuckets, mergeSeries } from '../../webviews/endpoint-monitor/series';
import { ChannelController } from './channel-controller';

export interface MonitorSource {
  /** The deployment's record with live status, or undefined when there is none (any more). */
  deployment(target: MonitorTarget): Promise<DeploymentRecord | undefined>;
  /**
   * A SageMaker endpoint's series from CloudWatch (the CLI's `flowbench metrics`) over the last `minutes`
   * (absent: the CLI's default range); absent: not available.
   */
  sageMakerSeries?(target: MonitorTarget, minutes?: number): Promise<MonitorSeries>;
}

export interface PollTimers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  now(): number;
}

export interface MonitorOptions {
  /** The local request log (a stat when nothing changed). */
  localPollMs?: number;
  cloudPollMs?: number;
  timers?: PollTimers;
}

export const SAGEMAKER_UNAVAILABLE = 'Metrics for SageMaker endpoints come from CloudWatch: not available in this build.';
export const SAGEMAKER_NO_DRIFT = 'Drift is computed from the request log, which only local endpoints keep; this series is CloudWatch\'s, read once a minute.';
export const LOCAL_POLL_MS = 2_000;
/** CloudWatch has these metrics at 1-minute resolution: reading more often finds nothing new. */
export const CLOUD_POLL_MS = 60_000;
/** What a CloudWatch poll re-reads: datapoints arrive late and a recent minute's values still change. */
export const CLOUD_DELTA_MINUTES = 5;

const SYSTEM_TIMERS: PollTimers = {
  setInterval: (fn, ms) => {
    const handle = setInterval(fn, ms);
    handle.unref?.();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
  now: () => Date.now(),
};

export class EndpointMonitorController extends ChannelController {
  private target: MonitorTarget | undefined;
  private ready = false;
  private generation = 0;
  private tail: RequestLogTail | undefined;
  private agg: MonitorAggregator | undefined;
  private baseline: Baseline | undefined;
  private record: DeploymentRecord | undefined;
  private cloudSeries: MonitorSeries | { error: string } | undefined;
  private timer: unknown;
  private polling: Promise<void> | undefined;
  private visible = true;
  private lastPoll = 0;
  private readonly timers: PollTimers;
  private readonly localPollMs: number;
  private readonly cloudPollMs: number;

  constructor(
    post: (message: WireMessage) => void,
    private readonly source: MonitorSource,
    private readonly onError: (what: string, err: unknown) => void = () => undefined,
    options: MonitorOptions = {},
  ) {
    super(post, onError);
    this.timers = options.timers ?? SYSTEM_TIMERS;
    this.localPollMs = options.localPollMs ?? LOCAL_POLL_MS;
    this.cloudPollMs = options.cloudPollMs ?? CLOUD_POLL_MS;
    this.channel.onReady<ViewState>(async ({ state }) => {
      this.ready = true;
      if (!this.target && state?.target) return this.show(state.target);
      await this.publishAll();
    });
    this.channel.onCommand(Refresh, () => (this.target ? this.show(this.target) : undefined));
  }

  get current(): MonitorTarget | undefined {
    return this.target;
  }

  /** Watches a deployment from its first logged request; resolves when the panel has it. */
  async show(target: MonitorTarget): Promise<void> {
    const generation = ++this.generation;
    this.stopPolling();
    // One read at a time: a poll in flight (its answer now discarded) ends before the full read starts.
    await this.polling?.catch(() => undefined);
    if (generation !== this.generation) return;
    this.target = target;
    const stateDir = join(target.projectDir, '.flowbench');
    this.tail = new RequestLogTail(deploymentDir(stateDir, target.name));
    this.agg = new MonitorAggregator();
    this.record = undefined;
    this.baseline = undefined;
    if (this.ready) this.channel.notify(MonitorShown, { target, loading: true });
    try {
      const [record, baseline] = await Promise.all([this.source.deployment(target), readBaseline(stateDir, target.name)]);
      if (generation !== this.generation) return;
      this.record = record;
      this.baseline = baseline;
      if (record?.target === 'local') this.agg.add(await this.tail.read());
      this.cloudSeries = undefined;
      if (record?.target === 'sagemaker' && this.source.sageMakerSeries) this.cloudSeries = await this.readCloud(target);
    } catch (err) {
      this.onError('monitor', err);
    }
    if (generation !== this.generation) return;
    this.lastPoll = this.timers.now();
    await this.publishAll();
    this.startPolling();
  }

  private readCloud(target: MonitorTarget, minutes?: number): Promise<MonitorSeries | { error: string }> {
    return this.source.sageMakerSeries!(target, minutes).catch((err: Error) => ({ error: `CloudWatch metrics could not be read: ${err.message}` }));
  }

  /** The panel was hidden (polls stop) or shown again (a poll that is due runs now). */
  setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    this.visible = visible;
    if (!visible) return this.stopPolling();
    const interval = this.interval();
    if (interval !== undefined && this.timers.now() - this.lastPoll >= interval) void this.poll().catch((err) => this.onError('monitor poll', err));
    this.startPolling();
  }

  /** Resolves when no poll is in flight. */
  idle(): Promise<void> {
    return this.polling?.catch(() => undefined) ?? Promise.resolve();
  }

  /** Reads what the log gained; sends a delta when there was something. */
  poll(): Promise<void> {
    this.polling ??= this.pollOnce().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    this.lastPoll = this.timers.now();
    if (this.record?.target === 'local') return this.pollLog();
    if (this.record?.target === 'sagemaker' && this.source.sageMakerSeries) return this.pollCloud();
  }

  private async pollLog(): Promise<void> {
    const { tail, agg, target } = this;
    if (!tail || !agg || !target) return;
    const generation = this.generation;
    const lines = await tail.read();
    if (generation !== this.generation || lines.length === 0) return;
    agg.add(lines);
    const record = await this.source.deployment(target).catch(() => this.record);
    const statusChanged = record?.status !== this.record?.status;
    this.record = record;
    if (this.ready) this.channel.notify(MonitorDelta, { series: agg.delta(), ...this.driftPart(), ...(statusChanged && record && { deployment: record }) });
  }

  /** The last minutes again; only buckets that are new or changed go to the panel. */
  private async pollCloud(): Promise<void> {
    const { target } = this;
    if (!target) return;
    const generation = this.generation;
    const shown = this.cloudSeries && !('error' in this.cloudSeries) ? this.cloudSeries : undefined;
    let fresh = await this.readCloud(target, shown ? CLOUD_DELTA_MINUTES : undefined);
    const changed = shown && !('error' in fresh) ? changedBuckets(shown, fresh) : undefined;
    // Not comparable with what is shown (nothing shown yet, or other bucket widths): the whole range again.
    if (shown && !('error' in fresh) && !changed) fresh = await this.readCloud(target);
    const record = await this.source.deployment(target).catch(() => this.record);
    if (generation !== this.generation) return;
    const statusChanged = record?.status !== this.record?.status;
    this.record = record;
    if (shown && 'error' in fresh) {
      // A passing failure keeps the series shown; the next poll tries again.
      this.onError('CloudWatch poll', new Error(fresh.error));
      return;
    }
    if (!shown || !changed) {
      this.cloudSeries = fresh;
      return this.publishAll();
    }
    this.cloudSeries = mergeSeries(shown, changed, MAX_BUCKETS);
    if (this.ready && (changed.t.length > 0 || statusChanged)) this.channel.notify(MonitorDelta, { series: changed, ...(statusChanged && record && { deployment: record }) });
  }

  private interval(): number | undefined {
    if (this.record?.target === 'local') return this.localPollMs;
    if (this.record?.target === 'sagemaker' && this.source.sageMakerSeries) return this.cloudPollMs;
    return undefined;
  }

  private startPolling(): void {
    const interval = this.interval();
    if (this.timer !== undefined || !this.visible || interval === undefined) return;
    this.timer = this.timers.setInterval(() => void this.poll().catch((err) => this.onError('monitor poll', err)), interval);
  }

  private stopPolling(): void {
    if (this.timer !== undefined) this.timers.clearInterval(this.timer);
    this.timer = undefined;
  }

  private driftPart(): { drift?: DriftView } {
    if (!this.agg) return {};
    if (!this.baseline) return { drift: { features: [], window: 0, threshold: PSI_THRESHOLD, minObserved: MIN_OBSERVED, problems: ['This deployment has no drift baseline (it is written when the model is deployed).'] } };
    return { drift: { ...driftOf(this.baseline, this.agg.window()), threshold: PSI_THRESHOLD, minObserved: MIN_OBSERVED, problems: this.baseline.problems } };
  }

  private async publishAll(): Promise<void> {
    if (!this.ready) return;
    const target = this.target;
    if (!target) return this.channel.notify(MonitorShown, {});
    const record = this.record;
    if (!record) return this.channel.notify(MonitorShown, { target, error: `No deployment '${target.name}' in ${target.projectDir}.` });
    if (record.target !== 'local') {
      const cloud = this.cloudSeries;
      if (!cloud) return this.channel.notify(MonitorShown, { target, deployment: record, unavailable: SAGEMAKER_UNAVAILABLE });
      if ('error' in cloud) return this.channel.notify(MonitorShown, { target, deployment: record, error: cloud.error });
      return this.channel.notify(MonitorShown, { target, deployment: record, series: cloud, drift: { features: [], window: 0, threshold: PSI_THRESHOLD, minObserved: MIN_OBSERVED, problems: [SAGEMAKER_NO_DRIFT] } });
    }
    this.channel.notify(MonitorShown, { target, deployment: record, series: this.agg!.series(), ...this.driftPart() });
  }

  override dispose(): void {
    this.generation++;
    this.stopPolling();
  }
}
