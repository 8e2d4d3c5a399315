// The FIU finance desk, loaded on demand: which page a '#finance…' address names.
import './finance.css';
import { NotFoundPage, type Host, type Page, type Route } from '../page';
import { ItemPage } from './item';
import { QueuePage } from './queue';
import { RiskPage } from './risk';
import { UploadPage } from './upload';

export function createPage(route: Route, host: Host): Page {
  const [, a] = route.path;
  if (!a) return new QueuePage(host, route);
  if (a === 'upload') return new UploadPage(host);
  if (a === 'risk' && route.path.length === 2) return new RiskPage(host, route);
  if (!/^\d+$/.test(a) || Number(a) <= 0) return new NotFoundPage(host, 'finance', 'finance.title');
  return new ItemPage(host, Number(a));
}
