// The linkage module, loaded on demand: which page a '#linkage…' address names.
//   #linkage                      linkage projects (list; new project for managers)
//   #linkage/projects/{id}        one project
//   #linkage/review               possible duplicates among cases, to review
//   #linkage/review/{id}/{other}  one pair side by side
import './linkage.css';
import '../cases/cases.css';
import { mayReviewDuplicates } from '../cases/duplicates';
import { NotFoundPage, type Host, type Page, type Route } from '../page';
import { seesProjects } from './api';
import { ProjectPage } from './project';
import { ProjectsPage } from './projects';
import { ReviewPairPage, ReviewQueuePage } from './review';

const id = (s: string | undefined) => (s && /^\d+$/.test(s) && Number(s) > 0 ? Number(s) : 0);

export function createPage(route: Route, host: Host): Page {
  const [, a, b, c] = route.path;
  const role = host.user.role;
  if (!a) return seesProjects(role) || !mayReviewDuplicates(role) ? new ProjectsPage(host) : new ReviewQueuePage(host);
  if (a === 'projects' && id(b) && !c) return new ProjectPage(host, id(b));
  if (a === 'review' && !b) return new ReviewQueuePage(host);
  if (a === 'review' && id(b) && id(c)) return new ReviewPairPage(host, id(b), id(c));
  return new NotFoundPage(host, 'linkage', 'linkage.projects.title');
}
