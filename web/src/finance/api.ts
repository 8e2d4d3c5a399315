// The finance desk endpoints (FIU analysts): the review queue, an item, its network, decisions,
// the STR download and the scan of an uploaded bank export.
import { request } from '../api';
import { has, t } from '../i18n';

export const STATUSES = ['new', 'escalated', 'dismissed'] as const;

/** The patterns and red-flag typologies a hit can name (finance.h Pattern). */
export const TYPOLOGIES = [
  'fan_in',
  'fan_out',
  'scatter_gather',
  'gather_scatter',
  'bipartite',
  'stack',
  'cycle',
  'structuring',
  'funnel',
  'rapid_in_out',
  'night_activity',
  'ad_payments',
  'travel_bursts',
  'off_hours_deposits',
  'cash_no_payroll',
  'no_payroll',
  'wage_pooling',
  'shared_contact',
  'opaque_channels',
  'high_risk_corridor',
] as const;

export interface Item {
  id: number;
  scan_id: number;
  typology: string;
  red_flag: boolean;
  subject: string;
  party: string;
  accounts: string[];
  transaction_count: number;
  first_time: string | null;
  last_time: string | null;
  total_minor: number;
  explanation: string;
  subject_score: number;
  status: string;
  decided_at: string | null;
  reason: string | null;
}

export interface ItemTransaction {
  id: string;
  time: string | null;
  from: string | null;
  to: string | null;
  amount_minor: number;
  currency: string;
  channel: string;
  location: string;
}

export interface ItemDetail extends Item {
  rule: { pattern: string; typology: boolean; typologies_version: string | null; risk_points: number; parameters: Record<string, unknown> };
  transactions: ItemTransaction[];
  transactions_truncated: boolean;
}

export interface ItemPage {
  items: Item[];
  total: number;
  offset: number;
  limit: number;
}

export interface NetworkNode {
  id: string;
  party: string;
  country: string;
  hops: number;
}

export interface NetworkEdge {
  from: string;
  to: string;
  count: number;
  total_minor: number;
  first_time: string | null;
  last_time: string | null;
}

export interface Network {
  subject: string;
  truncated: boolean;
  nodes: NetworkNode[];
  edges: NetworkEdge[];
}

export interface Job {
  id: number;
  state: 'running' | 'done' | 'failed';
  rows: number;
  bytes: number;
  total_bytes: number;
  error: string | null;
  scan_id?: number;
  already_loaded?: boolean;
  items?: number;
  alerts?: number;
}

/** One pattern's contribution to a score. */
export interface RiskReason {
  pattern: string;
  points: number;
}

export interface RiskAccount {
  rank: number;
  account: string;
  party: string;
  score: number;
  reasons: RiskReason[];
  /** The review item whose subject is this account (highest subject score), or null. */
  item_id: number | null;
}

export interface RiskParty {
  rank: number;
  party: string;
  score: number;
  accounts: string[];
  reasons: RiskReason[];
}

/** The risk ranking of a scan; scan_id is null (and the lists empty) when none is loaded. */
export interface RiskRanking {
  scan_id: number | null;
  accounts: RiskAccount[];
  parties: RiskParty[];
}

export interface Filter {
  status?: string;
  typology?: string;
  offset?: number;
  limit?: number;
}

function query(f: Filter): string {
  const q = new URLSearchParams();
  if (f.status) q.set('status', f.status);
  if (f.typology) q.set('typology', f.typology);
  if (f.offset) q.set('offset', String(f.offset));
  if (f.limit) q.set('limit', String(f.limit));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const financeApi = {
  items: (f: Filter) => request<ItemPage>('GET', `/api/v1/finance/items${query(f)}`),
  item: (id: number) => request<ItemDetail>('GET', `/api/v1/finance/items/${id}`),
  network: (id: number, hops: number, account?: string) =>
    request<Network>(
      'GET',
      `/api/v1/finance/items/${id}/network?hops=${hops}${account ? `&account=${encodeURIComponent(account)}` : ''}`,
    ),
  decide: (id: number, action: 'escalate' | 'dismiss', reason?: string) =>
    request<Item>('POST', `/api/v1/finance/items/${id}/decision`, reason ? { action, reason } : { action }),
  scan: (name: string, csv: string, accountsCsv?: string) =>
    request<Job>('POST', '/api/v1/finance/scans', accountsCsv ? { name, csv, accounts_csv: accountsCsv } : { name, csv }),
  job: (id: number) => request<Job>('GET', `/api/v1/finance/scans/jobs/${id}`),
  risk: (limit: number) => request<RiskRanking>('GET', `/api/v1/finance/risk?limit=${limit}`),
};

export function strUrl(id: number): string {
  return `/api/v1/finance/items/${id}/str`;
}

/** A typology's name in the UI language (the code itself when there is no translation). */
export function typologyName(code: string): string {
  const key = `finance.typology.${code}`;
  return has(key) ? t(key) : code;
}

/** Minor units as a decimal amount with its currency, in the UI language. */
export function money(minor: number, currency: string, locale: string): string {
  const value = minor / 100;
  try {
    if (/^[A-Z]{3}$/.test(currency)) {
      return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(value);
    }
  } catch {
    // An unknown currency code: fall through to a plain number.
  }
  return `${new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value)}${currency ? ` ${currency}` : ''}`;
}

/** An ISO time as a date and time in the UI language (UTC). */
export function when(iso: string | null, locale: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(d);
}
