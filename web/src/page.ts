// A page of the shell (everything but the dashboard): it owns its state and its element, and
// rebuilds its content from that state. Inputs write to the state as people type, so a rebuild
// (a language switch, a save) never loses what was typed; focus is kept by element id.
import type { User } from './api';
import { h } from './dom';
import { t } from './i18n';

export interface Route {
  /** Path segments after '#': ['cases', '12', 'screening']. */
  path: string[];
  query: URLSearchParams;
}

export interface Host {
  readonly user: User;
  navigate(hash: string): void;
  /** A message for a failed call; a 401 signs the person out and returns ''. */
  fail(err: unknown): string;
  /** The page's title or heading changed (document.title follows). */
  retitle(): void;
}

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = (q < 0 ? raw : raw.slice(0, q)).split('/').filter(Boolean).map(decodeURIComponent);
  return { path, query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

export abstract class Page {
  readonly el: HTMLElement = h('div', { class: 'page' });
  protected disposed = false;

  constructor(protected readonly host: Host) {}

  /** The section of the navigation this page belongs to ('cases'). */
  abstract readonly section: string;
  abstract title(): string;
  protected abstract view(): (Node | null | false)[];

  /** Rebuilds the content; `focus` is a selector to focus afterwards (else focus stays put). */
  render(focus?: string): void {
    if (this.disposed) return;
    const active = document.activeElement as HTMLElement | null;
    const keepId = active && this.el.contains(active) ? active.id : '';
    const caret =
      active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement
        ? [active.selectionStart, active.selectionEnd]
        : null;
    this.el.replaceChildren(...(this.view().filter(Boolean) as Node[]));
    const target = focus
      ? (this.el.querySelector(focus) as HTMLElement | null)
      : keepId
        ? document.getElementById(keepId)
        : null;
    if (target) {
      target.focus({ preventScroll: !focus });
      if (!focus && caret && (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement)) {
        try {
          target.setSelectionRange(caret[0], caret[1]);
        } catch {
          // Not every input type has a selection (date, number).
        }
      }
    }
  }

  /** A route inside the same page changed (a tab); false when a new page is needed. */
  update(_route: Route): boolean {
    return false;
  }

  dispose(): void {
    this.disposed = true;
  }
}

/** "Not found" inside a module, with a link back to the module's first page. */
export class NotFoundPage extends Page {
  constructor(
    host: Host,
    readonly section: string,
    private readonly backTitleKey: string,
  ) {
    super(host);
    this.render();
  }
  title(): string {
    return t('errors.not_found');
  }
  protected view(): Node[] {
    return [
      h('h1', { class: 'page-title', tabindex: '-1' }, t('errors.not_found')),
      h('p', null, h('a', { href: `#${this.section}` }, t(this.backTitleKey))),
    ];
  }
}
