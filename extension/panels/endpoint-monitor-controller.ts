// The Endpoint Monitor's host side, vscode-free: the watched deployment, its request log tailed into
// buckets (core/deploy/monitor.ts) and drift against its baseline. The whole series goes once (on open or
// Refresh); after that each poll that found new requests sends only the changed buckets and the drift table.
import { join } from 'node:path';
import { readBaseline, type Baseline } from '../../core/deploy/baseline-file';
import { MIN_OBSERVED, PSI_THRESHOLD } from '../../core/deploy/drift';
import { driftOf, MonitorAggregator, RequestLogTail } from '../../core/deploy/monitor';
import { deploymentDir } from '../../core/deploy/records';
import type { DeploymentRecord, MonitorSeries } from '../../core/deploy/types';
import { Hello, type WireMessage } from '../../webviews/platform/protocol';
import { MonitorDelta, MonitorShown, Refresh, type DriftView, type MonitorTarget, type ViewState } from '../../webviews/endpoint-monitor/contract';
import { HostChannel } from './channel';

export interface MonitorSource {
  /** The deployment's record with live status, or undefined when there is none (any more). */
  deployment(target: MonitorTarget): Promise<DeploymentRecord | undefined>;
  /** A SageMaker endpoint's series from CloudWatch (the CLI's `flowbench metrics`); absent: not available. */
  sageMakerSeries?(target: MonitorTarget): Promise<MonitorSeries>;
}

export const SAGEMAKER_UNAVAILABLE = 'Metrics for SageMaker endpoints come from CloudWatch: not available in this build.';
export const SAGEMAKER_NO_DRIFT = 'Drift is computed from the request log, which only local endpoints keep; this series is CloudWatch\'s (Refresh to update).';
/** How often the log is looked at while the panel is open: a stat when nothing changed. */
export const POLL_MS = 1_000;

export class EndpointMonitorController {
  private readonly channel: HostChannel;
  private target: MonitorTarget | undefined;
  private ready = false;
  private generation = 0;
  private tail: RequestLogTail | undefined;
  private agg: MonitorAggregator | undefined;
  private baseline: Baseline | undefined;
  private record: DeploymentRecord | undefined;
  private cloudSeries: MonitorSeries | { error: string } | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private polling: Promise<void> | undefined;

  constructor(
    private readonly post: (message: WireMessage) => void,
    private readonly source: MonitorSource,
    private readonly onError: (what: string, err: unknown) => void = () => undefined,
    private readonly pollMs = POLL_MS,
  ) {
    this.channel = new HostChannel(post, onError);
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
      if (record?.target === 'sagemaker' && this.source.sageMakerSeries) {
        this.cloudSeries = await this.source.sageMakerSeries(target).catch((err: Error) => ({ error: `CloudWatch metrics could not be read: ${err.message}` }));
      }
    } catch (err) {
      this.onError('monitor', err);
    }
    if (generation !== this.generation) return;
    await this.publishAll();
    this.startPolling();
  }

  /** Reads what the log gained; sends a delta when there was something. */
  poll(): Promise<void> {
    this.polling ??= this.pollOnce().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    const { tail, agg, target } = this;
    if (!tail || !agg || !target || this.record?.target !== 'local') return;
    const generation = this.generation;
    const lines = await tail.read();
    if (generation !== this.generation || lines.length === 0) return;
    agg.add(lines);
    const record = await this.source.deployment(target).catch(() => this.record);
    const statusChanged = record?.status !== this.record?.status;
    this.record = record;
    if (this.ready) this.channel.notify(MonitorDelta, { series: agg.delta(), ...this.driftPart(), ...(statusChanged && record && { deployment: record }) });
  }

  private startPolling(): void {
    if (this.timer || this.record?.target !== 'local') return;
    this.timer = setInterval(() => void this.poll().catch((err) => this.onError('monitor poll', err)), this.pollMs);
    this.timer.unref?.();
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

  receive(message: unknown): Promise<void> {
    return this.channel.receive(message);
  }

  hello(): void {
    this.post({ method: Hello.method, params: {} });
  }

  dispose(): void {
    this.generation++;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
