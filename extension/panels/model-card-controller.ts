// The model card panel's host side, vscode-free: which card is shown, building it (through `load`, the
// CLI in the real editor), and the panel's commands. A newer request wins over one still building.
import type { ModelCard } from '../../core/model/card-types';
import type { WireMessage } from '../../webviews/platform/protocol';
import { CardChanged, DeployModel, ExportCard, Refresh, type CardTarget, type ExportFormat } from '../../webviews/model-card/contract';
import { ShowingController } from './showing-controller';

export interface CardActions {
  load(flowFile: string, run: string): Promise<ModelCard>;
  /** Saves an export of the shown card where the user says. */
  save(card: ModelCard, format: ExportFormat): Promise<void>;
  /** Deploys the model of the shown run. */
  deploy?(target: CardTarget): Promise<void>;
}

export class ModelCardController extends ShowingController<CardTarget, { card: ModelCard; compare?: ModelCard }> {
  constructor(
    post: (message: WireMessage) => void,
    private readonly actions: CardActions,
    onError: (what: string, err: unknown) => void = () => undefined,
  ) {
    super(post, CardChanged, onError);
    this.channel.onCommand(Refresh, () => (this.current ? this.show(this.current) : undefined));
    this.channel.onCommand(ExportCard, async ({ format }) => {
      if (this.shown.card) await this.actions.save(this.shown.card, format);
    });
    this.channel.onCommand(DeployModel, async () => {
      if (this.current) await this.actions.deploy?.({ flowFile: this.current.flowFile, run: this.current.run });
    });
  }

  /** A run's card (with `compare`, that run's too, side by side). */
  protected async fetch(target: CardTarget) {
    const [card, compare] = await Promise.all([
      this.actions.load(target.flowFile, target.run),
      target.compare ? this.actions.load(target.flowFile, target.compare) : undefined,
    ]);
    return { card, ...(compare && { compare }) };
  }

  protected failure(target: CardTarget, err: Error): string {
    this.onError('card', err);
    return `The model card of run ${target.run} could not be built: ${err.message}`;
  }
}
