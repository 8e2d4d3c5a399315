// Creating and editing a case: person, CTDC profile, route legs, protection and assignment.
// Errors from the API name the field by JSON pointer; they are shown at that field.
import { ApiError } from '../api';
import { h } from '../dom';
import { t } from '../i18n';
import { Page, type Host } from '../page';
import { alertBox } from '../views/common';
import { casesApi, type Case, type Leg, type Person, type Profile } from './api';
import { CODES, codeLabel, countryOptions, flagCodes, FLAG_GROUPS, loadCountries, today, TRANSPORT } from './ref';
import { canWrite } from './shared';
import { checkGroup, field, idFor, loading, pointerFor, select, textArea, textInput, type FieldErrors, type Option } from './ui';

const PERSON_FIELDS = ['given_name', 'family_name', 'birth_date', 'document_number', 'contact', 'address'] as const;
const FLAG_LABEL: Record<string, string> = {
  means: 'cases.field.means',
  exploitation: 'cases.field.exploitation',
  labour_sectors: 'cases.field.labour_sectors',
  sexual_types: 'cases.field.sexual_types',
  recruiter_relations: 'cases.field.recruiter_relations',
};

interface Model {
  person: Person;
  profile: Profile;
  legs: Leg[];
  immigration_status: string;
  non_punishment: boolean;
  assigned_to: string;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** Equal as JSON values, whatever the order of object keys (the server sorts them). */
function same(a: unknown, b: unknown): boolean {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])]))
        : v;
  return JSON.stringify(canon(a ?? null)) === JSON.stringify(canon(b ?? null));
}

export class CaseFormPage extends Page {
  readonly section = 'cases';
  private original: Case | null = null;
  private model: Model | null = null;
  private errors: FieldErrors = {};
  private error: string | null = null;
  private busy = false;
  private assignees: Option[] = [];
  private rendered = new Set<string>();

  constructor(
    host: Host,
    private readonly caseId: number | null,
  ) {
    super(host);
    this.render();
    void this.load();
  }

  title(): string {
    if (!this.caseId) return t('cases.form.new_title');
    return t('cases.form.edit_title', { reference: this.original?.reference ?? '…' });
  }

  private async load(): Promise<void> {
    if (!canWrite(this.host.user)) {
      this.error = t('errors.forbidden');
      this.render();
      return;
    }
    try {
      const [c] = await Promise.all([
        this.caseId ? casesApi.get(this.caseId) : Promise.resolve(null),
        loadCountries(),
      ]);
      this.original = c;
      if (c && !c.person) throw new ApiError(403, 'forbidden', 'forbidden');
      this.model = c
        ? {
            person: clone(c.person ?? {}),
            profile: clone(c.profile ?? {}),
            legs: clone(c.legs ?? []),
            immigration_status: c.immigration_status ?? '',
            non_punishment: c.non_punishment,
            assigned_to: c.assigned_to ? String(c.assigned_to) : '',
          }
        : {
            person: {},
            profile: { year_of_registration: new Date().getFullYear() },
            legs: [],
            immigration_status: '',
            non_punishment: false,
            // A caseworker's new case is theirs unless they choose otherwise.
            assigned_to: this.host.user.role === 'caseworker' ? String(this.host.user.id) : '',
          };
      await this.loadAssignees(c);
      this.host.retitle();
    } catch (err) {
      this.error = this.host.fail(err);
    }
    this.render();
  }

  private async loadAssignees(c: Case | null): Promise<void> {
    const me = this.host.user;
    const options: Option[] = [];
    if (me.role === 'coordinator') {
      try {
        const org = c?.organisation_id ?? me.organisation?.id;
        const { users } = await casesApi.users();
        for (const u of users ?? []) {
          if (u.role === 'caseworker' && !(u as { disabled?: boolean }).disabled && (!org || u.organisation?.id === org)) {
            options.push({ value: String(u.id), label: u.display_name ? `${u.display_name} (${u.username})` : u.username });
          }
        }
      } catch {
        // Without the list a coordinator can still leave the case as it is.
      }
    } else {
      options.push({ value: String(me.id), label: t('cases.form.assign_me', { name: me.display_name || me.username }) });
    }
    if (c?.assigned_to && !options.some((o) => o.value === String(c.assigned_to))) {
      options.push({ value: String(c.assigned_to), label: c.assigned_username ?? `#${c.assigned_to}` });
    }
    this.assignees = options;
  }

  private get showImmigration(): boolean {
    return !this.original || 'immigration_status' in this.original;
  }

  protected view(): (Node | null)[] {
    const back = this.original ? `#cases/${this.original.id}` : '#cases';
    const head = h(
      'div',
      { class: 'page-head' },
      h(
        'nav',
        { class: 'breadcrumbs', 'aria-label': t('cases.breadcrumbs') },
        h('a', { href: '#cases' }, t('cases.title')),
        this.original ? h('a', { href: back }, this.original.reference) : null,
      ),
      h('h1', { class: 'page-title', tabindex: '-1' }, this.title()),
    );
    if (!this.model) return [head, alertBox(this.error, 'form-error'), this.error ? null : loading()];
    this.rendered = new Set();
    const alert = alertBox(this.error, 'form-error');
    alert.tabIndex = -1;
    const form = h(
      'form',
      { class: 'case-form', novalidate: true, 'aria-busy': this.busy ? 'true' : null },
      alert,
      this.personSection(),
      this.profileSection(),
      this.routeSection(),
      this.protectionSection(),
      h(
        'div',
        { class: 'form-actions' },
        h(
          'button',
          { type: 'submit', class: 'btn btn-primary', disabled: this.busy },
          this.busy ? t('cases.form.saving') : this.original ? t('cases.form.save') : t('cases.form.create'),
        ),
        h('a', { class: 'btn btn-secondary', href: back }, t('cases.form.cancel')),
      ),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.submit();
    });
    return [head, form];
  }

  private f(pointer: string, label: string, control: HTMLElement, extra: { hint?: string; wide?: boolean; optional?: boolean } = {}): HTMLElement {
    this.rendered.add(pointer);
    return field({ pointer, label, control, errors: this.errors, ...extra });
  }

  private block(id: string, title: string, intro: string | null, ...body: (Node | null)[]): HTMLElement {
    return h(
      'section',
      { class: 'form-section', 'aria-labelledby': `${id}-title` },
      h('h2', { id: `${id}-title`, class: 'section-title' }, title),
      intro ? h('p', { class: 'muted small' }, intro) : null,
      ...body,
    );
  }

  private personSection(): HTMLElement {
    const p = this.model!.person;
    const set = (k: keyof Person) => (v: string) => (p[k] = v);
    return this.block(
      'person',
      t('cases.section.person'),
      t('cases.form.person_intro'),
      h(
        'div',
        { class: 'grid-2' },
        this.f('/person/given_name', t('cases.field.given_name'), textInput(p.given_name, set('given_name'), { autocomplete: 'off' })),
        this.f('/person/family_name', t('cases.field.family_name'), textInput(p.family_name, set('family_name'), { autocomplete: 'off' })),
        this.f(
          '/person/birth_date',
          t('cases.field.birth_date'),
          textInput(p.birth_date, set('birth_date'), { type: 'date', max: today() }),
        ),
        this.f('/person/document_number', t('cases.field.document_number'), textInput(p.document_number, set('document_number'), { autocomplete: 'off' })),
        this.f('/person/contact', t('cases.field.contact'), textInput(p.contact, set('contact'), { autocomplete: 'off' })),
        this.f('/person/address', t('cases.field.address'), textArea(p.address, set('address'), 2)),
      ),
    );
  }

  private profileSection(): HTMLElement {
    const pr = this.model!.profile;
    const codeSelect = (k: 'gender' | 'age_band' | 'traffick_months', empty: string) =>
      select(
        CODES[k].map((c) => ({ value: c, label: codeLabel(k, c) })),
        pr[k],
        (v) => (pr[k] = v || undefined),
        empty,
      );
    const countries = countryOptions();
    const year = textInput(pr.year_of_registration ? String(pr.year_of_registration) : '', (v) => {
      pr.year_of_registration = v ? Number(v) : undefined;
    }, { type: 'number', min: 1990, max: new Date().getFullYear(), inputmode: 'numeric' });
    return this.block(
      'profile',
      t('cases.section.profile'),
      t('cases.form.profile_intro'),
      h(
        'div',
        { class: 'grid-3' },
        this.f('/profile/gender', t('cases.field.gender'), codeSelect('gender', t('cases.not_recorded'))),
        this.f('/profile/age_band', t('cases.field.age_band'), codeSelect('age_band', t('cases.form.age_from_birth')), {
          hint: t('cases.form.age_band_hint'),
        }),
        this.f('/profile/traffick_months', t('cases.field.traffick_months'), codeSelect('traffick_months', t('cases.not_recorded'))),
        this.f(
          '/profile/citizenship',
          t('cases.field.citizenship'),
          select(countries, pr.citizenship, (v) => (pr.citizenship = v || undefined), t('cases.not_recorded')),
        ),
        this.f(
          '/profile/country_of_exploitation',
          t('cases.field.country_of_exploitation'),
          select(countries, pr.country_of_exploitation, (v) => (pr.country_of_exploitation = v || undefined), t('cases.not_recorded')),
        ),
        this.f('/profile/year_of_registration', t('cases.field.year_of_registration'), year),
      ),
      h(
        'div',
        { class: 'grid-groups' },
        FLAG_GROUPS.map((g) => {
          const pointer = `/profile/${g}`;
          this.rendered.add(pointer);
          return checkGroup(
            pointer,
            t(FLAG_LABEL[g] ?? g),
            flagCodes(g).map((c) => ({ value: c, label: codeLabel(g, c) })),
            (pr[g] as string[] | undefined) ?? [],
            (next) => ((pr as Record<string, unknown>)[g] = next),
            this.errors,
          );
        }),
      ),
    );
  }

  private routeSection(): HTMLElement {
    const legs = this.model!.legs;
    this.rendered.add('/legs');
    const countries = countryOptions();
    const list = h(
      'ol',
      { class: 'legs' },
      legs.map((leg, i) => {
        const at = `/legs/${i}`;
        this.rendered.add(at);
        const crossing = select(
          [
            { value: 'true', label: t('cases.leg.regular') },
            { value: 'false', label: t('cases.leg.irregular') },
          ],
          leg.regular_crossing === undefined ? '' : String(leg.regular_crossing),
          (v) => (leg.regular_crossing = v === '' ? undefined : v === 'true'),
          t('cases.leg.crossing_unknown'),
        );
        const move = (to: number, key: string) => {
          const [l] = legs.splice(i, 1);
          legs.splice(to, 0, l);
          this.render(`#${idFor(`/legs/${to}`)}-${key}`);
          if (!this.el.querySelector(`#${idFor(`/legs/${to}`)}-${key}:not([disabled])`)) {
            (this.el.querySelector(`#${idFor(`/legs/${to}`)}-country`) as HTMLElement | null)?.focus();
          }
        };
        const n = i + 1;
        return h(
          'li',
          { class: `leg${this.errors[at] ? ' has-error' : ''}`, id: idFor(at), tabindex: '-1', 'data-pointer': at },
          h(
            'div',
            { class: 'leg-head' },
            h('h3', { class: 'leg-title' }, t('cases.leg.title', { n })),
            h(
              'div',
              { class: 'leg-tools' },
              h(
                'button',
                { type: 'button', class: 'btn btn-small', id: `${idFor(at)}-up`, disabled: i === 0, 'aria-label': t('cases.leg.move_up', { n }), onclick: () => move(i - 1, 'up') },
                t('cases.leg.up'),
              ),
              h(
                'button',
                {
                  type: 'button',
                  class: 'btn btn-small',
                  id: `${idFor(at)}-down`,
                  disabled: i === legs.length - 1,
                  'aria-label': t('cases.leg.move_down', { n }),
                  onclick: () => move(i + 1, 'down'),
                },
                t('cases.leg.down'),
              ),
              h(
                'button',
                {
                  type: 'button',
                  class: 'btn btn-small btn-danger-text',
                  'aria-label': t('cases.leg.remove_n', { n }),
                  onclick: () => {
                    legs.splice(i, 1);
                    this.render(legs.length ? `#${idFor(`/legs/${Math.max(0, i - 1)}`)}-country` : '#add-leg');
                  },
                },
                t('cases.leg.remove'),
              ),
            ),
          ),
          this.errors[at] ? h('p', { class: 'field-error' }, this.errors[at]) : null,
          h(
            'div',
            { class: 'grid-3' },
            this.f(`${at}/country`, t('cases.leg.country'), select(countries, leg.country, (v) => (leg.country = v), t('cases.leg.choose_country'))),
            this.f(`${at}/place`, t('cases.leg.place'), textInput(leg.place, (v) => (leg.place = v))),
            this.f(
              `${at}/transport`,
              t('cases.leg.transport'),
              select(
                TRANSPORT.map((x) => ({ value: x, label: codeLabel('transport', x) })),
                leg.transport,
                (v) => (leg.transport = v || undefined),
                t('cases.not_recorded'),
              ),
            ),
            this.f(`${at}/date_from`, t('cases.leg.date_from'), textInput(leg.date_from, (v) => (leg.date_from = v), { type: 'date', max: today() })),
            this.f(`${at}/date_to`, t('cases.leg.date_to'), textInput(leg.date_to, (v) => (leg.date_to = v), { type: 'date', max: today() })),
            this.f(`${at}/regular_crossing`, t('cases.leg.crossing'), crossing, { hint: i === 0 ? t('cases.leg.crossing_hint') : undefined }),
          ),
        );
      }),
    );
    return this.block(
      'route',
      t('cases.section.route'),
      t('cases.form.route_intro'),
      this.errors['/legs'] ? h('p', { class: 'field-error', id: idFor('/legs'), tabindex: '-1' }, this.errors['/legs']) : null,
      legs.length ? list : h('p', { class: 'muted' }, t('cases.route.none')),
      h(
        'button',
        {
          type: 'button',
          id: 'add-leg',
          class: 'btn btn-secondary',
          onclick: () => {
            legs.push({ country: '' });
            this.render(`#${idFor(`/legs/${legs.length - 1}`)}-country`);
          },
        },
        t('cases.leg.add'),
      ),
    );
  }

  private protectionSection(): HTMLElement {
    const m = this.model!;
    const np = h('input', { type: 'checkbox', id: idFor('/non_punishment'), checked: m.non_punishment, 'data-pointer': '/non_punishment', 'aria-describedby': 'np-hint' });
    np.addEventListener('change', () => (m.non_punishment = np.checked));
    this.rendered.add('/non_punishment');
    const assign = select(this.assignees, m.assigned_to, (v) => (m.assigned_to = v), t('cases.form.unassigned'));
    return this.block(
      'protection',
      t('cases.section.protection'),
      null,
      h(
        'div',
        { class: 'np-box' },
        h('label', { class: 'choice choice-strong', for: np.id }, np, h('span', null, t('cases.np.label'))),
        h('p', { id: 'np-hint', class: 'hint' }, t('cases.np.hint')),
        this.errors['/non_punishment'] ? h('p', { class: 'field-error' }, this.errors['/non_punishment']) : null,
      ),
      h(
        'div',
        { class: 'grid-2' },
        this.f('/assigned_to', t('cases.field.assigned_to'), assign, {
          hint: this.host.user.role === 'caseworker' ? t('cases.form.assign_hint_caseworker') : undefined,
        }),
        this.showImmigration
          ? this.f(
              '/immigration_status',
              t('cases.field.immigration_status'),
              textInput(m.immigration_status, (v) => (m.immigration_status = v), { autocomplete: 'off' }),
              { hint: t('cases.form.immigration_hint') },
            )
          : null,
      ),
    );
  }

  /** Checks the model can tell without the server, in the UI language. */
  private check(): FieldErrors {
    const m = this.model!;
    const e: FieldErrors = {};
    if (m.person.birth_date && m.person.birth_date > today()) e['/person/birth_date'] = t('cases.error.future_date');
    m.legs.forEach((leg, i) => {
      if (!leg.country) e[`/legs/${i}/country`] = t('cases.error.leg_country');
      for (const k of ['date_from', 'date_to'] as const) {
        if (leg[k] && leg[k]! > today()) e[`/legs/${i}/${k}`] = t('cases.error.future_date');
      }
      if (leg.date_from && leg.date_to && leg.date_to < leg.date_from) e[`/legs/${i}/date_to`] = t('cases.error.leg_order');
    });
    return e;
  }

  private body(): Record<string, unknown> {
    const m = this.model!;
    const cleanPerson = (p: Person) => {
      const out: Record<string, string> = {};
      for (const k of PERSON_FIELDS) {
        const v = (p[k] ?? '').trim();
        if (v) out[k] = v;
      }
      return out;
    };
    const cleanProfile = (p: Profile) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(p)) {
        if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0) || Number.isNaN(v)) continue;
        // Code lists are sets; the server keeps them sorted.
        out[k] = Array.isArray(v) ? [...v].sort() : v;
      }
      return out;
    };
    const legs = m.legs.map((l) => {
      const o: Record<string, unknown> = { country: l.country };
      if (l.place?.trim()) o.place = l.place.trim();
      if (l.date_from) o.date_from = l.date_from;
      if (l.date_to) o.date_to = l.date_to;
      if (l.transport) o.transport = l.transport;
      if (l.regular_crossing !== undefined) o.regular_crossing = l.regular_crossing;
      return o;
    });
    const person = cleanPerson(m.person);
    const profile = cleanProfile(m.profile);
    const assigned = m.assigned_to ? Number(m.assigned_to) : null;
    const immigration = m.immigration_status.trim();
    const o = this.original;
    if (!o) {
      const body: Record<string, unknown> = { person, profile, legs, non_punishment: m.non_punishment };
      if (assigned) body.assigned_to = assigned;
      if (immigration) body.immigration_status = immigration;
      return body;
    }
    // An edit sends only what changed; a removed field is sent as null.
    const body: Record<string, unknown> = {};
    const before = cleanPerson(o.person ?? {});
    const personPatch: Record<string, unknown> = {};
    for (const k of PERSON_FIELDS) if (!same(before[k], person[k])) personPatch[k] = person[k] ?? null;
    if (Object.keys(personPatch).length) body.person = personPatch;
    const beforeProfile = cleanProfile(o.profile ?? {});
    const profilePatch: Record<string, unknown> = {};
    for (const k of new Set([...Object.keys(beforeProfile), ...Object.keys(profile)])) {
      if (!same(beforeProfile[k], profile[k])) profilePatch[k] = profile[k] ?? null;
    }
    // An unchanged band is not sent: with a new birth date the server then derives it afresh.
    if (Object.keys(profilePatch).length) body.profile = profilePatch;
    if (!same(o.legs ?? [], legs)) body.legs = legs;
    if (o.non_punishment !== m.non_punishment) body.non_punishment = m.non_punishment;
    if ((o.assigned_to ?? null) !== assigned) body.assigned_to = assigned;
    if (this.showImmigration && (o.immigration_status ?? '') !== immigration) body.immigration_status = immigration || null;
    return body;
  }

  private async submit(): Promise<void> {
    if (this.busy || !this.model) return;
    this.errors = this.check();
    this.error = null;
    if (Object.keys(this.errors).length) {
      this.error = t('cases.form.fix_errors');
      this.render(`#${idFor(Object.keys(this.errors)[0])}`);
      return;
    }
    const body = this.body();
    if (this.original && Object.keys(body).length === 0) {
      this.host.navigate(`#cases/${this.original.id}`);
      return;
    }
    this.busy = true;
    this.render();
    try {
      const saved = this.original ? await casesApi.update(this.original.id, body) : await casesApi.create(body);
      this.busy = false;
      this.host.navigate(`#cases/${saved.id}`);
    } catch (err) {
      this.busy = false;
      const message = this.host.fail(err);
      if (!message) return;
      const at = err instanceof ApiError ? pointerFor(err.field, this.rendered) : '';
      if (at) {
        this.errors = { [at]: message };
        this.error = t('cases.form.fix_errors');
        this.render(`#${idFor(at)}`);
      } else {
        this.error = `${t('cases.form.save_failed')} ${message}`;
        this.render('#form-error');
      }
    }
  }
}
