// The linkage projects the caller's organisation takes part in (administrators: all), and, for
// administrators and coordinators, the form that sets a new one up.
import { ApiError } from '../api';
import { h } from '../dom';
import { formatNumber, t } from '../i18n';
import { Page, type Host } from '../page';
import { alertBox } from '../views/common';
import { STARTER_SCHEMA, createsProjects, linkageApi, type Project } from './api';
import { pageHead, when } from './shared';

export function statusLabel(status: string): string {
  return t(status === 'matched' ? 'linkage.status.matched' : 'linkage.status.waiting');
}

export class ProjectsPage extends Page {
  readonly section = 'linkage';
  private projects: Project[] | null = null;
  private error: string | null = null;
  // The new-project form.
  private formOpen = false;
  private name = '';
  private parties = '';
  private threshold = '0.8';
  private schema = JSON.stringify(STARTER_SCHEMA, null, 2);
  private formError: string | null = null;
  private busy = false;

  constructor(host: Host) {
    super(host);
    this.render();
    void this.load();
  }

  title(): string {
    return t('linkage.projects.title');
  }

  private async load(): Promise<void> {
    try {
      this.projects = (await linkageApi.projects()).projects;
      this.error = null;
    } catch (err) {
      this.error = this.host.fail(err);
    }
    this.render();
  }

  private mine(p: Project): number | null {
    const org = this.host.user.organisation?.id;
    const party = p.parties.find((x) => x.organisation_id === org);
    return party ? party.matched : null;
  }

  protected view(): (Node | null)[] {
    const role = this.host.user.role;
    const newButton = createsProjects(role)
      ? h(
          'button',
          {
            type: 'button',
            class: 'btn btn-secondary',
            id: 'linkage-new',
            'aria-expanded': String(this.formOpen),
            'aria-controls': 'linkage-form',
            onclick: () => {
              this.formOpen = !this.formOpen;
              this.render(this.formOpen ? '#lk-name' : '#linkage-new');
            },
          },
          t('linkage.projects.new'),
        )
      : null;
    return [
      pageHead(role, 'projects', t('linkage.projects.title'), newButton),
      h('p', { class: 'muted' }, t('linkage.projects.intro')),
      this.formOpen ? this.form() : null,
      alertBox(this.error, 'linkage-error'),
      this.projects === null && !this.error
        ? h('p', { class: 'muted', role: 'status' }, t('app.loading'))
        : this.table(),
    ];
  }

  private table(): HTMLElement | null {
    const list = this.projects ?? [];
    if (list.length === 0) return h('p', { class: 'empty-state' }, t('linkage.projects.none'));
    return h(
      'div',
      { class: 'linkage-table-wrap' },
      h(
        'table',
        { class: 'linkage-table' },
        h('caption', { class: 'visually-hidden' }, t('linkage.projects.title')),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, t('linkage.field.name')),
            h('th', { scope: 'col' }, t('linkage.field.status')),
            h('th', { scope: 'col' }, t('linkage.field.uploads')),
            h('th', { scope: 'col' }, t('linkage.field.my_matched')),
            h('th', { scope: 'col' }, t('linkage.field.created')),
          ),
        ),
        h(
          'tbody',
          null,
          list.map((p) => {
            const mine = this.mine(p);
            return h(
              'tr',
              null,
              h('th', { scope: 'row' }, h('a', { href: `#linkage/projects/${p.id}` }, p.name)),
              h('td', null, h('span', { class: `lk-chip lk-${p.status}` }, statusLabel(p.status))),
              h(
                'td',
                null,
                t('linkage.projects.uploaded_of', {
                  n: formatNumber(p.parties.filter((x) => x.uploaded).length),
                  total: formatNumber(p.parties.length),
                }),
              ),
              h('td', null, mine === null || p.status !== 'matched' ? '—' : formatNumber(mine)),
              h('td', null, when(p.created_at)),
            );
          }),
        ),
      ),
    );
  }

  private form(): HTMLElement {
    const input = (id: string, label: string, control: HTMLElement, hint?: string) =>
      h(
        'div',
        { class: 'field' },
        h('label', { for: id }, label),
        control,
        hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null,
      );
    const name = h('input', { id: 'lk-name', type: 'text', value: this.name, required: true, maxlength: '200' });
    name.addEventListener('input', () => (this.name = name.value));
    const parties = h('textarea', { id: 'lk-parties', rows: '3', 'aria-describedby': 'lk-parties-hint' });
    parties.value = this.parties;
    parties.addEventListener('input', () => (this.parties = parties.value));
    const threshold = h('input', {
      id: 'lk-threshold',
      type: 'number',
      min: '0.01',
      max: '1',
      step: '0.01',
      value: this.threshold,
      'aria-describedby': 'lk-threshold-hint',
    });
    threshold.addEventListener('input', () => (this.threshold = threshold.value));
    const schema = h('textarea', { id: 'lk-schema', rows: '8', class: 'lk-code', 'aria-describedby': 'lk-schema-hint' });
    schema.value = this.schema;
    schema.addEventListener('input', () => (this.schema = schema.value));
    return h(
      'form',
      {
        id: 'linkage-form',
        class: 'lk-form',
        'aria-labelledby': 'lk-form-h',
        onsubmit: (e: Event) => {
          e.preventDefault();
          void this.create();
        },
      },
      h('h2', { id: 'lk-form-h', class: 'lk-section-title' }, t('linkage.projects.new')),
      alertBox(this.formError, 'lk-form-error'),
      input('lk-name', t('linkage.field.name'), name),
      input('lk-parties', t('linkage.field.parties'), parties, t('linkage.form.parties_hint')),
      input('lk-threshold', t('linkage.field.threshold'), threshold, t('linkage.form.threshold_hint')),
      input('lk-schema', t('linkage.field.schema'), schema, t('linkage.form.schema_hint')),
      h(
        'div',
        { class: 'lk-actions' },
        h('button', { type: 'submit', class: 'btn btn-primary', disabled: this.busy }, t('linkage.form.create')),
      ),
    );
  }

  private async create(): Promise<void> {
    let schema: unknown;
    try {
      schema = JSON.parse(this.schema);
    } catch {
      this.formError = t('linkage.form.schema_not_json');
      this.render('#lk-schema');
      return;
    }
    const parties = this.parties
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
    this.busy = true;
    this.formError = null;
    this.render();
    try {
      const p = await linkageApi.create({ name: this.name.trim(), schema, threshold: Number(this.threshold), parties });
      this.host.navigate(`#linkage/projects/${p.id}`);
      return;
    } catch (err) {
      this.formError = err instanceof ApiError && err.status === 400 ? err.message : this.host.fail(err);
    } finally {
      this.busy = false;
    }
    this.render('#lk-form-error');
  }
}
