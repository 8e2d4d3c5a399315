import { h } from '../dom';
import { t, type Locale } from '../i18n';
import { alertBox, brand, languageSwitch } from './common';

export interface LoginState {
  busy: boolean;
  /** Message for the whole form (wrong credentials, locked, network). */
  error: string | null;
  /** Per-field messages (empty field, or a field the API named). */
  fieldErrors: Partial<Record<'username' | 'password', string>>;
  notice: string | null;
  username: string;
}

export interface LoginActions {
  submit(username: string, password: string): void;
  language(code: Locale): void;
}

function field(
  name: 'username' | 'password',
  state: LoginState,
  extra: Record<string, string | boolean>,
): HTMLElement {
  const id = `login-${name}`;
  const errorId = `${id}-error`;
  const error = state.fieldErrors[name];
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, t(`login.${name}`)),
    h('input', {
      id,
      name,
      required: true,
      'aria-invalid': error ? 'true' : null,
      'aria-describedby': error ? errorId : null,
      disabled: state.busy,
      ...extra,
    }),
    error ? h('p', { id: errorId, class: 'field-error' }, error) : null,
  );
}

export function loginView(state: LoginState, actions: LoginActions): HTMLElement {
  const form = h(
    'form',
    { class: 'login-form', novalidate: true, 'aria-label': t('login.form_label') },
    alertBox(state.error, 'login-error'),
    alertBox(state.error ? null : state.notice, 'login-notice', 'info'),
    field('username', state, {
      type: 'text',
      autocomplete: 'username',
      autocapitalize: 'none',
      spellcheck: 'false',
      value: state.username,
    }),
    field('password', state, { type: 'password', autocomplete: 'current-password' }),
    h(
      'button',
      { type: 'submit', class: 'btn btn-primary btn-block', disabled: state.busy, 'aria-busy': state.busy ? 'true' : null },
      state.busy ? t('login.submitting') : t('login.submit'),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    actions.submit(String(data.get('username') ?? '').trim(), String(data.get('password') ?? ''));
  });

  return h(
    'main',
    { id: 'main', class: 'login-page' },
    h(
      'div',
      { class: 'login-card' },
      brand(),
      h('h1', { class: 'login-title', tabindex: '-1' }, t('login.title')),
      h('p', { class: 'muted' }, t('login.subtitle')),
      form,
    ),
    languageSwitch(actions.language, 'lang-switch-login'),
  );
}
