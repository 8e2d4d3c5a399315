// One linkage project: its parties and their uploads, and what matched for my organisation.
// Similarity scores and other parties' record ids never reach the browser (nor the server's
// store): only counts.
import { ApiError } from '../api';
import { h } from '../dom';
import { formatNumber, t } from '../i18n';
import { Page, type Host } from '../page';
import { alertBox } from '../views/common';
import { linkageApi, type Project } from './api';
import { statusLabel } from './projects';
import { pageHead, when } from './shared';

export class ProjectPage extends Page {
  readonly section = 'linkage';
  private project: Project | null = null;
  private error: string | null = null;

  constructor(
    host: Host,
    private readonly id: number,
  ) {
    super(host);
    this.render();
    void this.load();
  }

  title(): string {
    return this.project?.name ?? t('linkage.project.title');
  }

  private async load(): Promise<void> {
    try {
      this.project = await linkageApi.project(this.id);
      this.host.retitle();
    } catch (err) {
      this.error = err instanceof ApiError && err.status === 404 ? t('linkage.project.not_found') : this.host.fail(err);
    }
    this.render();
  }

  protected view(): (Node | null)[] {
    const role = this.host.user.role;
    const back = h('p', { class: 'small' }, h('a', { href: '#linkage' }, t('linkage.projects.back')));
    const p = this.project;
    if (!p) {
      return [
        pageHead(role, null, t('linkage.project.title')),
        back,
        this.error ? alertBox(this.error, 'linkage-error') : h('p', { class: 'muted', role: 'status' }, t('app.loading')),
      ];
    }
    const mine = p.parties.find((x) => x.organisation_id === this.host.user.organisation?.id);
    const facts: [string, string][] = [
      [t('linkage.field.status'), statusLabel(p.status)],
      [t('linkage.field.threshold'), formatNumber(p.threshold)],
      [t('linkage.field.clk_bits'), formatNumber(p.clk_bits)],
      [t('linkage.field.created'), when(p.created_at)],
      [t('linkage.field.matched_at'), when(p.matched_at)],
      [t('linkage.field.groups'), p.status === 'matched' ? formatNumber(p.groups) : '—'],
    ];
    return [
      pageHead(role, null, p.name),
      back,
      h(
        'section',
        { class: 'lk-box', 'aria-labelledby': 'lk-summary-h' },
        h('h2', { id: 'lk-summary-h', class: 'lk-section-title' }, t('linkage.project.summary')),
        h(
          'dl',
          { class: 'lk-facts' },
          facts.map(([k, v]) => h('div', { class: 'lk-fact' }, h('dt', null, k), h('dd', null, v))),
        ),
        mine
          ? h(
              'p',
              { class: 'lk-mine', id: 'lk-mine' },
              p.status === 'matched'
                ? t('linkage.project.mine_matched', { n: formatNumber(mine.matched), total: formatNumber(mine.records) })
                : mine.uploaded
                  ? t('linkage.project.mine_waiting', { total: formatNumber(mine.records) })
                  : t('linkage.project.mine_to_upload'),
            )
          : null,
      ),
      h(
        'section',
        { class: 'lk-box', 'aria-labelledby': 'lk-parties-h' },
        h('h2', { id: 'lk-parties-h', class: 'lk-section-title' }, t('linkage.field.parties')),
        h(
          'div',
          { class: 'linkage-table-wrap' },
          h(
            'table',
            { class: 'linkage-table' },
            h('caption', { class: 'visually-hidden' }, t('linkage.field.parties')),
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                h('th', { scope: 'col' }, t('linkage.field.organisation')),
                h('th', { scope: 'col' }, t('linkage.field.uploaded')),
                h('th', { scope: 'col' }, t('linkage.field.records')),
                h('th', { scope: 'col' }, t('linkage.field.matched')),
              ),
            ),
            h(
              'tbody',
              null,
              p.parties.map((x) =>
                h(
                  'tr',
                  null,
                  h('th', { scope: 'row' }, x.organisation),
                  h('td', null, x.uploaded ? when(x.uploaded_at) : t('linkage.project.not_yet')),
                  h('td', null, x.uploaded ? formatNumber(x.records) : '—'),
                  h('td', null, p.status === 'matched' ? formatNumber(x.matched) : '—'),
                ),
              ),
            ),
          ),
        ),
        h('p', { class: 'hint' }, t('linkage.project.upload_hint')),
      ),
    ];
  }
}
