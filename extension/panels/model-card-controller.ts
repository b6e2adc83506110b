// The model card panel's host side, vscode-free: which card is shown, building it (through `load`, the
// CLI in the real editor), and the panel's commands. A newer request wins over one still building.
import type { ModelCard } from '../../core/model/card-types';
import { Hello } from '../../webviews/platform/protocol';
import type { WireMessage } from '../../webviews/platform/protocol';
import { CardChanged, DeployModel, ExportCard, Refresh, type CardTarget, type ExportFormat, type ViewState } from '../../webviews/model-card/contract';
import { HostChannel } from './channel';

export interface CardActions {
  load(flowFile: string, run: string): Promise<ModelCard>;
  /** Saves an export of the shown card where the user says. */
  save(card: ModelCard, format: ExportFormat): Promise<void>;
  /** Deploys the model of the shown run. */
  deploy?(target: CardTarget): Promise<void>;
}

export class ModelCardController {
  private readonly channel: HostChannel;
  private target: CardTarget | undefined;
  private shown: { card?: ModelCard; compare?: ModelCard; error?: string; loading?: boolean } = {};
  private ready = false;
  private generation = 0;

  constructor(
    private readonly post: (message: WireMessage) => void,
    private readonly actions: CardActions,
    private readonly onError: (what: string, err: unknown) => void = () => undefined,
  ) {
    this.channel = new HostChannel(post, onError);
    this.channel.onReady<ViewState>(async ({ state }) => {
      this.ready = true;
      // A panel revived after a reload asks for the card it showed.
      if (!this.target && state?.target) return this.show(state.target);
      this.publish();
    });
    this.channel.onCommand(Refresh, () => (this.target ? this.show(this.target) : undefined));
    this.channel.onCommand(ExportCard, async ({ format }) => {
      if (this.shown.card) await this.actions.save(this.shown.card, format);
    });
    this.channel.onCommand(DeployModel, async () => {
      if (this.target) await this.actions.deploy?.({ flowFile: this.target.flowFile, run: this.target.run });
    });
  }

  /** Shows a run's card (with `compare`, that run's too, side by side); resolves when it is shown. */
  async show(target: CardTarget): Promise<void> {
    const generation = ++this.generation;
    this.target = target;
    this.shown = { loading: true };
    this.publish();
    try {
      const [card, compare] = await Promise.all([
        this.actions.load(target.flowFile, target.run),
        target.compare ? this.actions.load(target.flowFile, target.compare) : undefined,
      ]);
      if (generation !== this.generation) return;
      this.shown = { card, ...(compare && { compare }) };
    } catch (err) {
      if (generation !== this.generation) return;
      this.shown = { error: `The model card of run ${target.run} could not be built: ${(err as Error).message}` };
      this.onError('card', err);
    }
    this.publish();
  }

  get current(): CardTarget | undefined {
    return this.target;
  }

  receive(message: unknown): Promise<void> {
    return this.channel.receive(message);
  }

  hello(): void {
    this.post({ method: Hello.method, params: {} });
  }

  dispose(): void {
    this.generation++;
  }

  private publish(): void {
    if (!this.ready) return;
    this.channel.notify(CardChanged, { ...(this.target && { target: this.target }), ...this.shown });
  }
}
