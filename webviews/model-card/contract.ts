// The model card panel's message contract: the only module the panel (webviews/model-card) and its host
// (extension/panels/model-card-controller.ts) import from each other. Pure TS; the card's shape is
// core/model/card-types.ts (type-only, nothing of core is bundled).
import type { ModelCard } from '../../core/model/card-types';
import { command, notification } from '../platform/protocol';

export type { CheckResult, MetricValue, ModelCard, SliceTable } from '../../core/model/card-types';

/** Which card the panel shows; the webview saves it so a reloaded window asks for the same again. */
export interface CardTarget {
  flowFile: string;
  run: string;
  /** A second run of the same flow, shown side by side. */
  compare?: string;
}

export interface ViewState {
  target?: CardTarget;
}

export type ExportFormat = 'md' | 'html' | 'json' | 'mct';

// host → webview
/** What the panel shows now: a card (and the compared one), or why there is none yet. */
export const CardChanged = notification<{ target?: CardTarget; loading?: boolean; card?: ModelCard; compare?: ModelCard; error?: string }>('card/show');

// webview → host
/** Save the shown card in a format; the host asks where. */
export const ExportCard = command<{ format: ExportFormat }>('card/export');
/** Build the card again (after a run, or after editing the flow's checks). */
export const Refresh = command<Record<string, never>>('card/refresh');
/** Deploy the shown card's model ("Flowbench: Deploy Model" for its run). */
export const DeployModel = command<Record<string, never>>('card/deploy');
