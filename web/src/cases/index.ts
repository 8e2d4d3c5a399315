// The cases module, loaded on demand: which page a '#cases…' address names.
import './cases.css';
import { NotFoundPage, type Host, type Page, type Route } from '../page';
import { CasePage } from './case';
import { CaseFormPage } from './form';
import { CaseListPage } from './list';

export function createPage(route: Route, host: Host): Page {
  const [, a, b] = route.path;
  if (!a) return new CaseListPage(host, route);
  if (a === 'new') return new CaseFormPage(host, null);
  const id = Number(a);
  if (!/^\d+$/.test(a) || id <= 0) return new NotFoundPage(host, 'cases', 'cases.title');
  if (b === 'edit') return new CaseFormPage(host, id);
  return new CasePage(host, id, route);
}
