// The safe-reporting endpoints for staff: the queue, one report, triage, recipients.
import { ApiError, request } from '../api';
import en from '../i18n/en.json';
import { has, t } from '../i18n';

export interface ReportSubmission {
  language: string;
  channel: string;
  place_country: string;
  place: string;
  work_type: string;
  signs: string[];
  affected: string;
  people_count: number | null;
  when_seen: string;
  description: string;
}

export interface ReportMessage {
  id: number;
  author: 'reporter' | 'staff' | string;
  visibility: 'thread' | 'internal' | string;
  day: string;
  text: string;
  staff_name: string;
}

/** What a recipient sees of one report (every POST on a report answers this too). */
export interface StaffView {
  id: number;
  status: string;
  messaging: string;
  day: string;
  expires_day: string;
  case_id: number | null;
  close_reason: string;
  submission: ReportSubmission;
  attachments: { id: number; filename: string }[];
  messages: ReportMessage[];
}

export interface QueueItem {
  report_id: number;
  status: string;
  day: string;
  channel: string;
  work_type: string;
  place_country: string;
  signs: number;
  unread_from_reporter: number;
}

export interface Recipient {
  user_id: number;
  username: string;
  display_name: string;
  active: boolean;
  has_key: boolean;
  added_day: string;
}

/** A report entered by staff: people_count is left out when not known. */
export type NewReport = Omit<ReportSubmission, 'people_count'> & { people_count?: number };

const base = (id: number) => `/api/v1/reports/${id}`;

export const reportsApi = {
  queue: (status?: string) =>
    request<{ reports: QueueItem[] }>('GET', `/api/v1/reports${status ? `?status=${encodeURIComponent(status)}` : ''}`),
  get: (id: number) => request<StaffView>('GET', base(id)),
  attachmentUrl: (id: number, aid: number) => `${base(id)}/attachments/${aid}`,
  reply: (id: number, text: string, visibility: 'thread' | 'internal') =>
    request<StaffView>('POST', `${base(id)}/messages`, { text, visibility }),
  messaging: (id: number, mode: string) => request<StaffView>('POST', `${base(id)}/messaging`, { mode }),
  link: (id: number, caseId: number) => request<StaffView>('POST', `${base(id)}/link`, { case_id: caseId }),
  toCase: (id: number) =>
    request<{ case: { id: number; reference?: string }; report: StaffView }>('POST', `${base(id)}/case`),
  close: (id: number, reason: string) => request<StaffView>('POST', `${base(id)}/close`, { reason }),
  enter: (s: NewReport) => request<{ report_id: number; code: string }>('POST', '/api/v1/reports', s),
  recipients: () => request<{ recipients: Recipient[] }>('GET', '/api/v1/report-recipients'),
  addRecipient: (userId: number) => request<unknown>('POST', '/api/v1/report-recipients', { user_id: userId }),
  removeRecipient: (userId: number) => request<void>('DELETE', `/api/v1/report-recipients/${userId}`),
  countries: () => request<{ countries: { alpha2: string; name: string }[] }>('GET', '/api/v1/reference/countries'),
  users: () =>
    request<{ users: { id: number; username: string; display_name: string; role: string }[] }>(
      'GET',
      '/api/v1/users',
    ),
};

/** The codes of a vocabulary, in the order of the English texts ("reports.sign." -> codes). */
function codesOf(prefix: string): string[] {
  return Object.keys(en)
    .filter((k) => k.startsWith(prefix))
    .map((k) => k.slice(prefix.length));
}

export const SIGNS = codesOf('reports.sign.');
export const WORK_TYPES = codesOf('reports.work.');
export const AFFECTED = codesOf('reports.affected.');
export const WHEN_SEEN = codesOf('reports.when.');
export const QUEUE_STATUSES = ['new', 'in_review', 'linked', 'closed'];
export const MESSAGING = ['two_way', 'one_way', 'off'];

/** Plain words for a code of a vocabulary ("sign", "work", "status"...), else the code. */
export function label(group: string, code: string | null | undefined): string {
  if (!code) return '—';
  const key = `reports.${group}.${code}`;
  return has(key) ? t(key) : code;
}

/** A country's name in the UI language from its alpha-2 code (the browser's own data). */
export function regionName(alpha2: string, locale: string): string {
  if (!alpha2) return t('reports.country_unknown');
  try {
    return new Intl.DisplayNames([locale], { type: 'region' }).of(alpha2) ?? alpha2;
  } catch {
    return alpha2;
  }
}

/** The plain explanation for refusals that are about reports rather than the request. */
export function reportsError(err: unknown, fallback: (err: unknown) => string): string {
  if (err instanceof ApiError && err.status === 403) {
    if (err.code === 'report_key_locked') return t('reports.error.key_locked');
    if (err.code === 'not_a_recipient') return t('reports.error.not_recipient');
  }
  return fallback(err);
}
