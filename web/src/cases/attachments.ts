// Files attached to a case: a contract, a photo of a document, a letter. PDF, PNG, JPEG or plain
// text, at most 4 MiB; the server recognises the type from the bytes, whatever the name says,
// and serves every file as a download. Case work only: coordinators and caseworkers with full
// access to the case.
import { ApiError } from '../api';
import { h } from '../dom';
import { currentLocale, t, type Locale } from '../i18n';
import type { Route } from '../page';
import { alertBox } from '../views/common';
import { casesApi, type Attachment } from './api';
import type { Panel, PanelContext } from './case';
import { formatWhen } from './ref';
import { field, loading } from './ui';

/** Cases::kMaxAttachmentBytes on the server. */
export const MAX_ATTACHMENT_BYTES = 4 * 1024 * 1024;

/** What the file chooser offers first; the server decides from the bytes, not from this. */
const ACCEPT = '.pdf,.png,.jpg,.jpeg,.txt,application/pdf,image/png,image/jpeg,text/plain';

const TYPES: Record<string, string> = {
  'application/pdf': 'pdf',
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'text/plain': 'text',
};

export function typeLabel(contentType: string): string {
  const key = TYPES[contentType.split(';')[0].trim().toLowerCase()];
  return key ? t(`files.type.${key}`) : contentType;
}

/** A size in bytes, kB or MB (binary multiples, like the limit), in the UI language. */
export function formatSize(bytes: number, locale: Locale = currentLocale(), exact = false): string {
  const units = ['byte', 'kilobyte', 'megabyte'] as const;
  let value = bytes;
  let i = 0;
  while (!exact && value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  try {
    return new Intl.NumberFormat(locale, {
      style: 'unit',
      unit: units[i],
      unitDisplay: i === 0 ? 'long' : 'short',
      maximumFractionDigits: i === 0 ? 0 : 1,
    }).format(value);
  } catch {
    return `${i === 0 ? value : value.toFixed(1)} ${['B', 'kB', 'MB'][i]}`;
  }
}

/** A name isolated from the text around it, so that "note.txt" reads right in Arabic too. */
const isolate = (s: string) => `\u2068${s}\u2069`;

/** Base64 of the bytes, in slices so that a large file does not overflow the call stack. */
export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export class AttachmentsPanel implements Panel {
  private files: Attachment[] | null = null;
  private error: string | null = null;
  private busy = false;
  // Messages are kept as functions so that a language switch translates them again.
  /** The message at the file control: too large, empty, refused by the server. */
  private fileError: (() => string) | null = null;
  private notice: (() => string) | null = null;
  /** Kept across renders so that the chosen file survives a re-render (a language switch). */
  private readonly input: HTMLInputElement;

  constructor(private readonly ctx: PanelContext) {
    this.input = h('input', { type: 'file', accept: ACCEPT, 'data-testid': 'file-input' });
    this.input.addEventListener('change', () => {
      const file = this.input.files?.[0];
      this.notice = null;
      this.fileError = file ? this.precheck(file) : null;
      this.ctx.rerender();
    });
    void this.load();
  }

  route(_r: Route): string | undefined {
    return undefined;
  }

  private get caseId(): number {
    return this.ctx.caseData().id;
  }

  private async load(): Promise<void> {
    this.error = null;
    try {
      this.files = (await casesApi.attachments(this.caseId)).attachments ?? [];
    } catch (err) {
      this.error = this.ctx.host.fail(err);
      this.files ??= [];
    }
    this.ctx.rerender();
  }

  /** Said before anything is sent: the server would refuse these anyway. */
  private precheck(file: File): (() => string) | null {
    if (file.size > MAX_ATTACHMENT_BYTES) {
      return () => {
        const max = formatSize(MAX_ATTACHMENT_BYTES);
        // Just over the limit rounds to the limit: then say it in bytes.
        const size = formatSize(file.size) === max ? formatSize(file.size, currentLocale(), true) : formatSize(file.size);
        return t('files.error.too_big', { size, max });
      };
    }
    if (file.size === 0) return () => t('files.error.empty');
    return null;
  }

  private message(err: unknown): () => string {
    if (err instanceof ApiError) {
      if (err.status === 413 || err.code === 'too_large') {
        return () => t('files.error.too_large', { max: formatSize(MAX_ATTACHMENT_BYTES) });
      }
      if (err.status === 400 && err.field === '/content_base64') return () => t('files.error.type');
      if (err.status === 400 && err.field === '/name') return () => t('files.error.name');
    }
    const msg = this.ctx.host.fail(err);
    return () => msg;
  }

  private async upload(): Promise<void> {
    const file = this.input.files?.[0];
    this.notice = null;
    this.fileError = file ? this.precheck(file) : () => t('files.error.choose');
    if (!file || this.fileError) {
      this.ctx.rerender('#f-file');
      return;
    }
    this.busy = true;
    this.ctx.rerender('#file-progress');
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const r = await casesApi.attach(this.caseId, file.name, toBase64(bytes));
      this.files = r.attachments ?? [];
      this.notice = () => t('files.added', { name: isolate(file.name) });
      this.input.value = '';
    } catch (err) {
      this.fileError = this.message(err);
    }
    this.busy = false;
    this.ctx.rerender('#f-file');
  }

  view(): (Node | null)[] {
    if (!this.files) return [this.error ? alertBox(this.error, 'files-error') : loading()];
    return [
      alertBox(this.error, 'files-error'),
      h(
        'section',
        { class: 'card-box', 'aria-labelledby': 'files-h' },
        h('h2', { id: 'files-h', class: 'section-title' }, t('files.title')),
        this.files.length ? this.table() : h('p', { class: 'muted' }, t('files.empty')),
        this.form(),
      ),
    ];
  }

  private table(): HTMLElement {
    return h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'table table-compact files-table', 'data-testid': 'attachments' },
        h('caption', { class: 'visually-hidden' }, t('files.title')),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, t('files.name')),
            h('th', { scope: 'col' }, t('files.type')),
            h('th', { scope: 'col' }, t('files.size')),
            h('th', { scope: 'col' }, t('files.added_by')),
            h('th', { scope: 'col' }, t('files.added_at')),
            h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('files.download'))),
          ),
        ),
        h(
          'tbody',
          null,
          this.files!.map((f) =>
            h(
              'tr',
              { 'data-attachment': f.id },
              h(
                'th',
                { scope: 'row', class: 'file-name' },
                h('bdi', { dir: 'auto' }, f.name),
                h(
                  'span',
                  { class: 'file-hash muted small', title: f.sha256 },
                  h('span', { class: 'visually-hidden' }, 'SHA-256 '),
                  h('code', { dir: 'ltr' }, `${f.sha256.slice(0, 12)}…`),
                ),
              ),
              h('td', null, typeLabel(f.content_type)),
              h('td', { class: 'nowrap' }, formatSize(f.size)),
              h('td', null, h('bdi', null, f.created_by)),
              h('td', { class: 'nowrap' }, h('time', { datetime: f.created_at }, formatWhen(f.created_at))),
              h(
                'td',
                null,
                h(
                  'a',
                  {
                    class: 'btn btn-small',
                    href: casesApi.attachmentUrl(this.caseId, f.id),
                    download: f.name,
                    'aria-label': t('files.download_named', { name: f.name }),
                  },
                  t('files.download'),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  }

  private form(): HTMLElement {
    const max = formatSize(MAX_ATTACHMENT_BYTES);
    const input = this.input;
    // field() only adds these; the same element comes back on every render.
    input.removeAttribute('aria-invalid');
    input.removeAttribute('aria-describedby');
    input.disabled = this.busy;
    const chosen = this.busy ? input.files?.[0] : undefined;
    const form = h(
      'form',
      { class: 'upload-form', id: 'upload-form', novalidate: true, 'aria-busy': this.busy ? 'true' : null },
      h('h3', { class: 'sub-title' }, t('files.add_title')),
      field({
        pointer: '/file',
        label: t('files.choose'),
        hint: t('files.hint', { max }),
        errors: this.fileError ? { '/file': this.fileError() } : {},
        control: input,
        wide: true,
      }),
      h(
        'div',
        { class: 'upload-actions' },
        h('button', { type: 'submit', class: 'btn btn-primary', disabled: this.busy }, this.busy ? t('files.uploading') : t('files.upload')),
        this.busy
          ? h(
              'span',
              { class: 'upload-progress', role: 'status' },
              h('progress', { id: 'file-progress', tabindex: '-1', 'aria-label': t('files.uploading') }),
              h('span', null, t('files.uploading_named', { name: isolate(chosen?.name ?? '') })),
            )
          : null,
      ),
      alertBox(this.notice?.() ?? null, 'files-notice', 'info'),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!this.busy) void this.upload();
    });
    return form;
  }
}
