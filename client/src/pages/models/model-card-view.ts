// One model's card on the /models/ page. Only what the metadata says: a missing license, history
// or confusion matrix is said to be missing, never filled in.
import { h } from '../../shared/dom.js';
import { ConfusionCounts, renderConfusionTable } from '../dashboard/confusion.js';
import type { DatasetCard, ModelCard } from '../../../../protocol/model-cards.js';
import { drawTrainingCurves, formatFigure } from './training-curves.js';

/** Families whose card shows a confusion matrix of the validation (activity recognition). */
const CLASSIFIES_ACTIVITIES = /^har/;

export function renderModelCard(card: ModelCard): HTMLElement {
  const headingId = `model-${card.name}`;
  const section = h('section', { class: 'panel model-card', 'data-model': card.name, 'aria-labelledby': headingId });
  section.append(
    h('h2', { id: headingId }, card.name, ' ', h('span', { class: 'model-kind', textContent: card.kind })),
    ...(card.description ? [h('p', { textContent: card.description })] : []),
    facts(card),
    h('h3', { textContent: 'Data' }),
    datasets(card.datasets),
    h('h3', { textContent: 'Metrics' }),
    metricsTable(card),
    h('h3', { textContent: 'Reproduce' }),
    card.command ? h('pre', { class: 'model-command' }, h('code', { textContent: card.command })) : h('p', { class: 'muted', textContent: 'The metadata records no command.' }),
  );
  const curves = h('figure', { class: 'chart-figure', 'data-curves': card.name });
  section.append(h('h3', { textContent: 'Training' }), curves);
  if (card.history.length === 0) {
    curves.append(h('p', { class: 'muted', textContent: 'The metadata has no per-epoch history (metrics.history).' }));
  } else {
    const canvas = h('canvas');
    curves.append(h('figcaption', { textContent: `Loss and validation per epoch (${card.history.length} epochs)` }), h('div', { class: 'chart-box curves-box' }, canvas));
    // Drawn once the card is in the document (Chart.js measures its box).
    queueMicrotask(() => {
      const drawn = drawTrainingCurves(canvas, card.history);
      curves.dataset.series = drawn.series.join(',');
      curves.dataset.epochs = String(drawn.epochs);
    });
  }
  if (CLASSIFIES_ACTIVITIES.test(card.kind)) section.append(h('h3', { textContent: 'Confusion matrix' }), confusion(card));
  return section;
}

function facts(card: ModelCard): HTMLElement {
  const items: [string, string][] = [];
  if (card.epochs !== undefined) items.push(['epochs', String(card.epochs)]);
  if (card.seed !== undefined) items.push(['seed', String(card.seed)]);
  if (card.backend) items.push(['backend', card.backend]);
  if (card.trainedAt) items.push(['trained', card.trainedAt.slice(0, 10)]);
  if (card.classes) items.push(['classes', card.classes.join(', ')]);
  return h('dl', { class: 'model-facts' }, ...items.flatMap(([k, v]) => [h('dt', { textContent: k }), h('dd', { textContent: v })]));
}

function datasets(list: DatasetCard[]): HTMLElement {
  if (list.length === 0) return h('p', { class: 'muted', textContent: 'The metadata names no data set.' });
  return h(
    'ul',
    { class: 'model-datasets' },
    ...list.map((d) =>
      h(
        'li',
        {},
        h('strong', { textContent: d.name }),
        ...(d.citation ? [h('br'), d.citation] : []),
        h('br'),
        h('span', { class: 'license' }, 'License: ', d.license ?? 'not stated in the metadata'),
        ...(d.source ? [h('br'), h('span', { class: 'muted' }, 'Source: ', h('code', { textContent: d.source }))] : []),
      ),
    ),
  );
}

function metricsTable(card: ModelCard): HTMLElement {
  if (card.metrics.length === 0) return h('p', { class: 'muted', textContent: 'The metadata has no headline numbers.' });
  return h(
    'table',
    { class: 'model-metrics' },
    h('tbody', {}, ...card.metrics.map((m) => h('tr', {}, h('th', { scope: 'row', textContent: m.name }), h('td', { textContent: formatFigure(m.value) })))),
  );
}

/** The validation confusion matrix, drawn like the dashboard's (rows truth, columns predicted). */
function confusion(card: ModelCard): HTMLElement {
  const c = card.confusion;
  if (!c) return h('p', { class: 'muted', 'data-confusion': 'missing', textContent: "This model's metadata has no confusion matrix of its validation." });
  const cm = new ConfusionCounts(c.columns);
  // The dashboard's rows are the classes then 'stairs'; a row it has no place for is not drawn.
  const unplaced: string[] = [];
  c.rows.forEach((truth, r) => {
    const t = cm.truths.indexOf(truth);
    if (t < 0) return void unplaced.push(truth);
    c.counts[r]!.forEach((n, p) => (cm.counts[t * c.columns.length + p] = n));
  });
  const table = h('table', { class: 'confusion', 'data-confusion': 'validation' });
  renderConfusionTable(table, cm);
  return h(
    'figure',
    { class: 'chart-figure' },
    h('figcaption', { textContent: `${c.title}: rows are the true activity, columns the predicted one` }),
    h('div', { class: 'table-scroll' }, table),
    ...(unplaced.length > 0 ? [h('p', { class: 'muted', textContent: `Rows not shown: ${unplaced.join(', ')}.` })] : []),
  );
}
