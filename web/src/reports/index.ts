// The reports module, loaded on demand: which page a '#reports…' address names.
import './reports.css';
import { h } from '../dom';
import { t } from '../i18n';
import { Page, type Host, type Route } from '../page';
import { EntryPage } from './entry';
import { QueuePage } from './queue';
import { RecipientsPage } from './recipients';
import { ReportPage } from './report';

class NotFoundPage extends Page {
  readonly section = 'reports';
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
      h('p', null, h('a', { href: '#reports' }, t('reports.title'))),
    ];
  }
}

export function createPage(route: Route, host: Host): Page {
  const [, a] = route.path;
  if (!a) return new QueuePage(host, route);
  if (a === 'new') return new EntryPage(host);
  if (a === 'recipients') return new RecipientsPage(host);
  if (!/^\d+$/.test(a) || Number(a) <= 0) return new NotFoundPage(host);
  return new ReportPage(host, Number(a));
}
