// Loading a bank export: the analyst picks the transactions CSV (and, optionally, the accounts
// CSV); the server scans it in the background and this page polls the job's progress.
import { h } from '../dom';
import { formatNumber, t } from '../i18n';
import { Page, type Host } from '../page';
import { alertBox } from '../views/common';
import { financeApi, type Job } from './api';
import { pageHead, subNav } from './shared';

const POLL_MS = 500;

export class UploadPage extends Page {
  readonly section = 'finance';
  private job: Job | null = null;
  private error: string | null = null;
  private busy = false;
  private timer: number | undefined;

  constructor(host: Host) {
    super(host);
    this.render();
  }

  title(): string {
    return t('finance.upload.title');
  }

  override dispose(): void {
    window.clearTimeout(this.timer);
    super.dispose();
  }

  private async submit(form: HTMLFormElement): Promise<void> {
    const tx = (form.querySelector('#fn-csv') as HTMLInputElement).files?.[0];
    const acc = (form.querySelector('#fn-accounts') as HTMLInputElement).files?.[0];
    this.error = null;
    if (!tx) {
      this.error = t('finance.upload.need_file');
      this.render('#fn-csv');
      return;
    }
    this.busy = true;
    this.render();
    try {
      const csv = await tx.text();
      const accounts = acc ? await acc.text() : undefined;
      this.job = await financeApi.scan(tx.name, csv, accounts);
      this.poll();
    } catch (err) {
      this.error = this.host.fail(err);
      this.busy = false;
    }
    this.render();
  }

  private poll(): void {
    window.clearTimeout(this.timer);
    if (!this.job || this.job.state !== 'running' || this.disposed) {
      this.busy = false;
      return;
    }
    this.timer = window.setTimeout(async () => {
      try {
        this.job = await financeApi.job(this.job!.id);
      } catch (err) {
        this.error = this.host.fail(err);
        this.job = null;
      }
      this.poll();
      this.render();
    }, POLL_MS);
  }

  private progress(job: Job): HTMLElement {
    const total = Math.max(job.total_bytes, 1);
    return h(
      'section',
      { class: 'panel', 'aria-labelledby': 'fn-job-h', 'data-testid': 'scan-job' },
      h('h2', { id: 'fn-job-h', class: 'section-title' }, t(`finance.job.${job.state}`)),
      h('progress', { max: total, value: job.state === 'running' ? job.bytes : total, 'aria-labelledby': 'fn-job-h' }),
      h('p', { role: 'status' }, t('finance.job.rows', { rows: formatNumber(job.rows) })),
      job.state === 'failed' ? alertBox(job.error ?? '', 'fn-job-error') : null,
      job.state === 'done'
        ? h(
            'p',
            null,
            job.already_loaded ? t('finance.job.already') : t('finance.job.done_items', { items: formatNumber(job.items ?? 0), alerts: formatNumber(job.alerts ?? 0) }),
            ' ',
            h('a', { href: '#finance' }, t('finance.queue')),
          )
        : null,
    );
  }

  protected view(): (Node | null)[] {
    return [
      pageHead(t('finance.upload.title')),
      subNav('upload'),
      h('p', { class: 'muted' }, t('finance.upload.help')),
      alertBox(this.error, 'finance-error'),
      h(
        'form',
        {
          class: 'fn-upload',
          onsubmit: (e: Event) => {
            e.preventDefault();
            void this.submit(e.currentTarget as HTMLFormElement);
          },
        },
        h('div', { class: 'field' }, h('label', { for: 'fn-csv' }, t('finance.upload.csv')), h('input', { id: 'fn-csv', type: 'file', accept: '.csv,text/csv', required: true })),
        h('div', { class: 'field' }, h('label', { for: 'fn-accounts' }, t('finance.upload.accounts')), h('input', { id: 'fn-accounts', type: 'file', accept: '.csv,text/csv' })),
        h('button', { type: 'submit', class: 'btn btn-primary', disabled: this.busy }, t('finance.upload.submit')),
      ),
      this.job ? this.progress(this.job) : null,
    ];
  }
}
