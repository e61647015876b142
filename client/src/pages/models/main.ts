// /models/: one card per trained model, from GET /api/models (server/plugins/models.ts).
import { getJson } from '../../net/http.js';
import { errorMessage, requireElement, showNotice } from '../../shared/dom.js';
import { mountPageShell } from '../../shared/page-shell.js';
import { renderModelCard } from './model-card-view.js';
import type { ModelCard } from '../../../../protocol/model-cards.js';
import './models.css';

mountPageShell('models');
const notice = requireElement('#models-notice');
const cards = requireElement('#model-cards');

getJson<{ models: ModelCard[] }>('/api/models')
  .then(({ models }) => {
    if (models.length === 0) showNotice(notice, 'No trained model found (models/trained is empty): train one with npm run train.', 'warn');
    cards.replaceChildren(...models.map(renderModelCard));
  })
  .catch((err: unknown) => showNotice(notice, `Could not load the models: ${errorMessage(err)}`, 'error'))
  .finally(() => cards.setAttribute('aria-busy', 'false'));
