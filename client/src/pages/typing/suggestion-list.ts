// The suggestion chips under the editor: buttons (click to accept), the first one marked as
// what Tab accepts, and a polite live-region line for screen readers.
import type { SuggestionsMessage, WordSuggestion } from '../../../../protocol/text-messages.js';
import { h } from '../../shared/dom.js';

export class SuggestionList {
  private current: WordSuggestion[] = [];
  private prefix = '';
  hidden = false;

  constructor(
    private readonly list: HTMLUListElement,
    private readonly kind: HTMLElement,
    private readonly status: HTMLElement,
    private readonly onPick: (prefix: string, word: string) => void,
  ) {}

  get first(): WordSuggestion | undefined {
    return this.hidden ? undefined : this.current[0];
  }

  get typedPrefix(): string {
    return this.prefix;
  }

  show(message: SuggestionsMessage): void {
    // Completions of the typed word; at a word boundary they are the next words. Character
    // models may have no word completions: show their next characters instead.
    const words = message.completions.length > 0 ? message.completions : message.next;
    this.current = words;
    this.prefix = message.completions.length > 0 ? message.prefix : '';
    this.hidden = false;
    this.kind.textContent = words.length === 0 ? 'no suggestions' : message.prefix ? `completing “${message.prefix}”:` : 'next word:';
    this.list.replaceChildren(
      ...words.map((s, i) => {
        const button = h(
          'button',
          {
            type: 'button',
            class: s.source === 'writer' ? 'secondary learned' : 'secondary',
            'data-word': s.word,
            'data-source': s.source ?? 'model',
            title: s.source === 'writer' ? 'learned from what you typed' : '',
            'aria-label': `${i === 0 ? 'Tab: ' : ''}${s.word}, ${Math.round(s.p * 100)} percent${s.source === 'writer' ? ', learned from your writing' : ''}`,
          },
          s.word === ' ' ? '␣' : s.word,
          // Words the suggestions learned from this writer carry a mark (what they taught it).
          ...(s.source === 'writer' ? [h('span', { class: 'learned-mark', 'aria-hidden': 'true', textContent: '✎' })] : []),
          h('span', { class: 'p', 'aria-hidden': 'true', textContent: `${Math.round(s.p * 100)}%` }),
        );
        button.addEventListener('click', () => this.onPick(this.prefix, s.word));
        return h('li', {}, button);
      }),
    );
    this.status.textContent = words.length > 0 ? `Suggestion: ${words[0]!.word}. Tab accepts.` : '';
  }

  hide(): void {
    this.hidden = true;
    this.list.replaceChildren();
    this.kind.textContent = '';
    this.status.textContent = '';
  }
}
