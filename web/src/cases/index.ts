// The cases module, loaded on demand: which page a '#cases…' address names.
import './cases.css';
import { h } from '../dom';
import { t } from '../i18n';
import { Page, type Host, type Route } from '../page';
import { CasePage } from './case';
import { CaseFormPage } from './form';
import { CaseListPage } from './list';

class NotFoundPage extends Page {
  readonly section = 'cases';
  constructor(host: Host) {
    super(host);
    this.render();
  }
  title(): string {
    return t('errors.not_found');
  }
  protected view(): Node[] {
    return [
      h('h1', { class: 'page-title', tabindex: '-1' }, t('errors.not_found')),
      h('p', null, h('a', { href: '#cases' }, t('cases.title'))),
    ];
  }
}

export function createPage(route: Route, host: Host): Page {
  const [, a, b] = route.path;
  if (!a) return new CaseListPage(host, route);
  if (a === 'new') return new CaseFormPage(host, null);
  const id = Number(a);
  if (!/^\d+$/.test(a) || id <= 0) return new NotFoundPage(host);
  if (b === 'edit') return new CaseFormPage(host, id);
  return new CasePage(host, id, route);
}
