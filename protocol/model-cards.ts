// The model cards of GET /api/models (server/model-cards/model-card.ts builds them from each
// model's metadata.json; the /models/ page draws them).

export interface DatasetCard {
  name: string;
  citation?: string;
  license?: string;
  /** Where the data set's description lives (SOURCES.md), or the package it came from. */
  source?: string;
}

export interface ConfusionCard {
  /** True classes, one per row (may include labels the model does not predict, e.g. 'stairs'). */
  rows: string[];
  /** Predicted classes, one per column. */
  columns: string[];
  counts: number[][];
  /** Which validation it is (e.g. 'held-out people, 5013 windows'). */
  title: string;
}

export interface ModelCard {
  name: string;
  kind: string;
  description?: string;
  classes?: string[];
  datasets: DatasetCard[];
  /** Headline figures: top-level numbers of metrics (and of metrics.validation). */
  metrics: { name: string; value: number }[];
  command?: string;
  seed?: number;
  epochs?: number;
  backend?: string;
  trainedAt?: string;
  /** One entry per epoch, numbers only (loss, validation figures, seconds…). */
  history: Record<string, number>[];
  confusion?: ConfusionCard;
}
