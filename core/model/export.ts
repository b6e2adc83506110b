// A card in one of the export formats of `flowbench card --format` (and the card panel's Export).
import type { ModelCard } from './card-types';
import { toHtml } from './export-html';
import { toHuggingFaceReadme } from './export-md';
import { toModelCardToolkit } from './export-mct';

export const CARD_FORMATS = ['md', 'html', 'json', 'mct'] as const;
export type CardFormat = (typeof CARD_FORMATS)[number];

export function renderCard(card: ModelCard, format: CardFormat): string {
  switch (format) {
    case 'md': return toHuggingFaceReadme(card);
    case 'html': return toHtml(card);
    case 'json': return JSON.stringify(card, null, 2) + '\n';
    case 'mct': return JSON.stringify(toModelCardToolkit(card), null, 2) + '\n';
  }
}

/** The file name an export is suggested under. */
export function exportFileName(card: ModelCard, format: CardFormat): string {
  return format === 'md' ? 'README.md' : `${card.details.name}-${card.details.run}${format === 'mct' ? '.model-card-toolkit.json' : `.card.${format}`}`;
}
