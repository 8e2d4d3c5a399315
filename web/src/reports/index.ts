// The reports module, loaded on demand: which page a '#reports…' address names.
import './reports.css';
import { NotFoundPage, type Host, type Page, type Route } from '../page';
import { EntryPage } from './entry';
import { QueuePage } from './queue';
import { RecipientsPage } from './recipients';
import { ReportPage } from './report';

export function createPage(route: Route, host: Host): Page {
  const [, a] = route.path;
  if (!a) return new QueuePage(host, route);
  if (a === 'new') return new EntryPage(host);
  if (a === 'recipients') return new RecipientsPage(host);
  if (!/^\d+$/.test(a) || Number(a) <= 0) return new NotFoundPage(host, 'reports', 'reports.title');
  return new ReportPage(host, Number(a));
}
