// Typing page: the editor keeps a /ws/text session in step with the text before the cursor and
// shows the model's completions (Tab or click accepts); the generation box streams sampled text
// from POST /api/text/generate (the Shakespeare character model when the server has it).
import type { ReadyMessage, SuggestionsMessage, TextErrorMessage, TextLimits } from '../../../../protocol/text-messages.js';
import { writerId } from './writer-id.js';
import { TEXT_PATH } from '../../../../protocol/text-messages.js';
import { getJson } from '../../net/http.js';
import { messageType, ServerSocket } from '../../net/socket.js';
import { errorMessage, h, requireElement, showNotice } from '../../shared/dom.js';
import { mountPageShell } from '../../shared/page-shell.js';
import { streamGeneration } from './generation.js';
import { SuggestionList } from './suggestion-list.js';
import { acceptWord, replaceAutoSpace, TextSync } from './text-sync.js';
import './typing.css';

interface ModelsResponse {
  default: string;
  models: string[];
  limits: TextLimits;
}

const GENERATION_MODEL = 'shakespeare-char';

const shell = mountPageShell('typing');
const notice = requireElement('#typing-notice');
const editor = requireElement<HTMLTextAreaElement>('#editor');
const suggestModel = requireElement<HTMLSelectElement>('#suggest-model');
const modelInfo = requireElement('#model-info');
const latencyEl = requireElement('#latency');
const suggestionsBox = requireElement('.suggestions');
const writerInfo = requireElement('#writer-info');
const forgetButton = requireElement<HTMLButtonElement>('#forget-writer');
/** This browser's writer id: the server keeps what it learns of this writer's words under it. */
const writer = writerId(window.localStorage);
const sync = new TextSync();
let ready = false;
/** Tab accepts only after typing, so a second Tab leaves the editor (no focus trap). */
let typedSinceAccept = false;
/** The text before the cursor right after the last acceptance, until the next input. */
let acceptedBefore: string | undefined;
/** Sent-at times of edits awaiting their suggestions (latency as the typist feels it). */
let lastSentAt = 0;

const suggestions = new SuggestionList(requireElement<HTMLUListElement>('#suggestion-list'), requireElement('#suggestion-kind'), requireElement('#suggestion-status'), (prefix, word) => {
  accept(prefix, word);
  editor.focus();
});

const socket = new ServerSocket(TEXT_PATH, {
  onOpen: (s) => {
    ready = false;
    sync.forget();
    s.send({ type: 'start', model: suggestModel.value || undefined, k: 5, ...(writer ? { writer } : {}) });
  },
  onState: (state, text) => shell.setConnection(state, `text service: ${text}`),
  onDecodeError: (error) => showNotice(notice, `Unreadable message from the server: ${error}`, 'error'),
  onMessage: (message) => {
    switch (messageType(message)) {
      case 'ready': {
        const r = message as ReadyMessage;
        ready = true;
        modelInfo.textContent = `${r.model}: ${r.tokens === 'word' ? 'word' : 'character'} model, ${r.vocabSize} tokens`;
        showWriter(r);
        showNotice(notice, '');
        syncNow();
        break;
      }
      case 'suggestions':
        onSuggestions(message as SuggestionsMessage);
        break;
      case 'error':
        onError(message as TextErrorMessage);
        break;
      case 'forgotten':
        forgetButton.disabled = false;
        writerInfo.textContent = 'Forgotten: the suggestions learn your words again from now on.';
        break;
      default:
        break; // generation messages are not used on this socket
    }
  },
});

function showWriter(r: ReadyMessage): void {
  forgetButton.disabled = !r.writer;
  if (!r.writer) {
    writerInfo.textContent = 'This model does not learn your words.';
  } else if (r.writer.id) {
    writerInfo.textContent = `The suggestions learn your words as you type (${r.writer.learnedTokens} words and marks remembered from earlier, at most ${r.writer.maxTokens}).`;
  } else {
    writerInfo.textContent = 'The suggestions learn your words in this session only (this browser keeps no writer id).';
  }
}

forgetButton.addEventListener('click', () => {
  if (socket.send({ type: 'forget' })) forgetButton.disabled = true;
});

function textBeforeCursor(): string {
  return editor.value.slice(0, editor.selectionStart);
}

function syncNow(): void {
  if (!ready) return;
  const now = performance.now();
  const edit = sync.editTo(textBeforeCursor(), now);
  if (edit && socket.send(edit)) {
    lastSentAt = now;
    suggestionsBox.classList.add('stale');
  }
}

function onSuggestions(message: SuggestionsMessage): void {
  suggestionsBox.classList.remove('stale');
  // An answer for an older text is still shown, but only the latest decides what Tab does.
  suggestions.show(message);
  const roundTrip = message.sentAt !== undefined ? performance.now() - message.sentAt : performance.now() - lastSentAt;
  latencyEl.textContent = `suggestions in ${Math.round(roundTrip)} ms (model ${message.latencyMs.toFixed(1)} ms, ${message.contextTokens} tokens of context)`;
  latencyEl.dataset.roundTripMs = String(Math.round(roundTrip));
}

function onError(error: TextErrorMessage): void {
  if (error.code === 'overloaded') {
    // The server restarted our session empty: send the whole text again.
    sync.forget();
    showNotice(notice, 'The language model is busy; retrying…', 'warn');
    setTimeout(syncNow, 250);
    return;
  }
  if (error.code === 'idle-timeout') {
    showNotice(notice, 'The session timed out after a long pause; it reconnects when you type.', 'info');
    return;
  }
  showNotice(notice, `Text service: ${error.message} (${error.code})`, 'error');
}

function accept(prefix: string, word: string): void {
  const before = textBeforeCursor();
  // Only when the suggestion still fits the text (it may be one keystroke old).
  if (!before.toLowerCase().endsWith(prefix.toLowerCase())) return;
  const after = editor.value.slice(editor.selectionEnd);
  const updated = acceptWord(before, prefix, word);
  editor.value = updated + after;
  editor.setSelectionRange(updated.length, updated.length);
  acceptedBefore = updated;
  typedSinceAccept = false;
  suggestions.hide();
  syncNow();
}

editor.addEventListener('input', () => {
  typedSinceAccept = true;
  // A mark typed right after an accepted word takes the place of the space the acceptance added.
  const replaced = acceptedBefore === undefined ? undefined : replaceAutoSpace(acceptedBefore, textBeforeCursor());
  acceptedBefore = undefined;
  if (replaced !== undefined) {
    editor.value = replaced + editor.value.slice(editor.selectionEnd);
    editor.setSelectionRange(replaced.length, replaced.length);
  }
  syncNow();
});
// Cursor moves change the context too.
for (const type of ['click', 'keyup', 'select'] as const) {
  editor.addEventListener(type, () => syncNow());
}
editor.addEventListener('keydown', (event) => {
  if (event.key === 'Tab' && !event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey) {
    const first = suggestions.first;
    if (first && typedSinceAccept) {
      event.preventDefault();
      accept(suggestions.typedPrefix, first.word);
    }
  } else if (event.key === 'Escape') {
    suggestions.hide();
    typedSinceAccept = false;
  }
});
suggestModel.addEventListener('change', () => {
  ready = false;
  suggestions.hide();
  socket.send({ type: 'start', model: suggestModel.value, k: 5 });
  sync.forget();
});

// ---- generation ----------------------------------------------------------------------------

const genForm = requireElement<HTMLFormElement>('#gen-form');
const genModel = requireElement<HTMLSelectElement>('#gen-model');
const genPrompt = requireElement<HTMLTextAreaElement>('#gen-prompt');
const genTemperature = requireElement<HTMLInputElement>('#gen-temperature');
const genTemperatureValue = requireElement<HTMLOutputElement>('#gen-temperature-value');
const genLength = requireElement<HTMLInputElement>('#gen-length');
const genStart = requireElement<HTMLButtonElement>('#gen-start');
const genStop = requireElement<HTMLButtonElement>('#gen-stop');
const genOutput = requireElement('#gen-output');
const genStatus = requireElement('#gen-status');
let running: AbortController | undefined;

genTemperature.addEventListener('input', () => (genTemperatureValue.textContent = Number(genTemperature.value).toFixed(2)));
genStop.addEventListener('click', () => running?.abort());
genForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void generate();
});

async function generate(): Promise<void> {
  if (running) return;
  const maxTokens = Number(genLength.value);
  if (!Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > Number(genLength.max)) {
    genStatus.textContent = `Length must be a whole number from 1 to ${genLength.max}.`;
    genLength.focus();
    return;
  }
  running = new AbortController();
  genStart.disabled = true;
  genStop.disabled = false;
  genOutput.setAttribute('aria-busy', 'true');
  genOutput.textContent = genPrompt.value;
  const generated = h('span', { class: 'generated' });
  genOutput.append(generated);
  genStatus.textContent = 'generating…';
  const started = performance.now();
  let firstTokenMs: number | undefined;
  try {
    const result = await streamGeneration(
      { prompt: genPrompt.value, model: genModel.value || undefined, temperature: Number(genTemperature.value), maxTokens },
      (token) => {
        firstTokenMs ??= performance.now() - started;
        generated.textContent += token;
      },
      running.signal,
    );
    const seconds = result.ms / 1000;
    genStatus.textContent =
      result.reason === 'error'
        ? `Generation failed after ${result.tokens} tokens: ${result.error}`
        : `${result.tokens} tokens in ${seconds.toFixed(1)} s (${(result.tokens / Math.max(seconds, 1e-3)).toFixed(0)} tokens/s, first after ${Math.round(firstTokenMs ?? 0)} ms)${result.reason === 'stopped' ? ', stopped' : ''}`;
    genOutput.dataset.tokens = String(result.tokens);
  } catch (err) {
    genStatus.textContent = errorMessage(err);
  } finally {
    running = undefined;
    genStart.disabled = false;
    genStop.disabled = true;
    genOutput.removeAttribute('aria-busy');
  }
}

// ---- start-up ------------------------------------------------------------------------------

async function loadModels(): Promise<void> {
  try {
    const info = await getJson<ModelsResponse>('/api/text/models');
    suggestModel.replaceChildren(...info.models.map((m) => h('option', { value: m, textContent: m })));
    suggestModel.value = info.default;
    genModel.replaceChildren(...info.models.map((m) => h('option', { value: m, textContent: m })));
    genModel.value = info.models.includes(GENERATION_MODEL) ? GENERATION_MODEL : info.default;
    genLength.max = String(info.limits.maxGenerateTokens);
  } catch (err) {
    showNotice(notice, `Could not list the text models: ${errorMessage(err)}`, 'error');
  }
  socket.start();
}

void loadModels();
