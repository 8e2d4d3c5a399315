// The routes module, loaded on demand: the map (#routes) and a corridor's series
// (#routes/corridor/<id>).
import './routes.css';
import { NotFoundPage, type Host, type Page, type Route } from '../page';
import { CorridorPage } from './corridor';
import { MapPage } from './map';

export function createPage(route: Route, host: Host): Page {
  const [, a, id] = route.path;
  if (!a) return new MapPage(host);
  if (a === 'corridor' && id && /^[a-z0-9_]{1,64}$/.test(id) && route.path.length === 3)
    return new CorridorPage(host, id, route);
  return new NotFoundPage(host, 'routes', 'routes.map.title');
}
