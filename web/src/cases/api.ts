// The case, screening and legal-classification endpoints, as the browser app uses them.
import { request, type User } from '../api';

/** Text in the catalogue languages; pick() chooses the UI language. */
export type Text = Partial<Record<'en' | 'fr' | 'es' | 'ar', string>> & Record<string, string | undefined>;

export interface Person {
  given_name?: string;
  family_name?: string;
  birth_date?: string;
  document_number?: string;
  contact?: string;
  address?: string;
}

export interface Profile {
  gender?: string;
  age_band?: string;
  citizenship?: string;
  country_of_exploitation?: string;
  year_of_registration?: number;
  traffick_months?: string;
  means?: string[];
  exploitation?: string[];
  labour_sectors?: string[];
  sexual_types?: string[];
  recruiter_relations?: string[];
}

export interface Leg {
  country: string;
  place?: string;
  date_from?: string;
  date_to?: string;
  transport?: string;
  regular_crossing?: boolean;
}

export interface Case {
  id: number;
  reference: string;
  status: string;
  organisation_id: number;
  assigned_to: number | null;
  assigned_username?: string;
  profile: Profile;
  non_punishment: boolean;
  created_at: string;
  updated_at: string;
  /** Full access only. */
  person?: Person;
  legs?: Leg[];
  /** The pseudonymous view: the route's countries only. */
  route_countries?: string[];
  /** Present (possibly null) only for the assigned caseworker and coordinators. */
  immigration_status?: string | null;
  /** Cases decided to be the same person; only for those who read both cases' identifiers. */
  linked_cases?: LinkedCase[];
}

export interface LinkedCase {
  case_id: number;
  reference: string | null;
  linked_by: number | null;
  linked_by_username: string | null;
  linked_at: string;
}

export interface HistoryEntry {
  at: string;
  actor: string;
  field: string;
  old?: unknown;
  new?: unknown;
  hidden?: boolean;
}

export interface Note {
  id: number;
  at?: string;
  author: string;
  text: string;
}

/** A file attached to a case (metadata; the bytes come from attachmentUrl()). */
export interface Attachment {
  id: number;
  name: string;
  content_type: string;
  size: number;
  sha256: string;
  created_by: string;
  created_at: string;
}

export interface Country {
  alpha2: string;
  alpha3: string;
  name: string;
}

export interface CaseFilter {
  status?: string;
  citizenship?: string;
  exploitation?: string;
  name?: string;
  document_number?: string;
  limit?: number;
  before?: number;
}

// Screening against indicator catalogues.
export interface CatalogueElement {
  id: string;
  label: Text;
}
export interface CatalogueIndicator {
  id: string;
  element: string;
  strength: string;
  text: Text;
}
export interface Catalogue {
  id: string;
  version: string;
  title: Text;
  has_victim_rule: boolean;
  elements: CatalogueElement[];
  indicators: CatalogueIndicator[];
  /** Not in the contract yet; used when the server sends it. */
  victim_rule?: { applies_to?: string; rules?: { id: string; label: Text }[] };
}

export type AnswerCode = 'yes' | 'no' | 'unknown' | 'not_asked';
export interface AnswerEntry {
  answer: AnswerCode;
  source?: string;
  note?: string;
}
export interface Tally {
  yes: number;
  no: number;
  unknown: number;
  not_asked: number;
}
export interface ElementEvaluation {
  id: string;
  status: 'present' | 'absent' | 'undetermined' | 'not_assessed';
  tally: Tally;
  drivers: string[];
  open: string[];
  clause?: number;
  yes_by_strength?: { strong: number; medium: number; weak: number };
}
export interface Evaluation {
  catalogue: string;
  version: string;
  outcome: string;
  tally: Tally;
  elements: ElementEvaluation[];
  applies_to?: string;
  fired?: string[];
  possible?: string[];
}
export interface Screening {
  id: number;
  catalogue: string;
  version: string;
  status: 'in_progress' | 'complete';
  answers: Record<string, AnswerEntry>;
  evaluation?: Evaluation;
  updated_at?: string;
  updated_by?: string;
}

// Legal classification.
export interface FactInfo {
  name: string;
  kind: 'flag' | 'age';
  label: Text;
}
export interface RuleSetInfo {
  id: string;
  version: number;
  title: string | Text;
  facts: FactInfo[];
}
export interface FactValue {
  value?: boolean | 'unknown' | number;
  band?: { min: number; max?: number };
  note?: string;
  source?: string;
}
export type Facts = Record<string, FactValue>;
export interface LegalElement {
  id: string;
  label: Text;
  value: 'met' | 'not_met' | 'unknown';
  decided_by: string[];
  evidence: (FactValue & { fact: string })[];
  sources: string[];
}
export interface LegalResult {
  rule_set: { id: string; version: number };
  outcome: string;
  determined: boolean;
  possible_outcomes: string[];
  outcome_label: Text;
  explanation: Text;
  elements: LegalElement[];
  notes: { id: string; text: Text; sources: string[] }[];
  to_establish: { id: string; kind: 'fact' | 'element'; label: Text; facts: string[] }[];
}
export interface Classification {
  facts: Facts;
  result: LegalResult;
  rule_set: { id: string; version: number };
  decided_at?: string;
  decided_by?: string;
}

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

const base = (id: number) => `/api/v1/cases/${id}`;

export const casesApi = {
  list: (f: CaseFilter) => request<{ cases: Case[] }>('GET', `/api/v1/cases${query({ ...f })}`),
  get: (id: number) => request<Case>('GET', base(id)),
  create: (body: unknown) => request<Case>('POST', '/api/v1/cases', body),
  update: (id: number, body: unknown) => request<Case>('PATCH', base(id), body),
  setStatus: (id: number, status: string, reason: string) =>
    request<Case>('POST', `${base(id)}/status`, reason ? { status, reason } : { status }),
  history: (id: number) => request<{ history: HistoryEntry[] }>('GET', `${base(id)}/history`),
  notes: (id: number) => request<{ notes: Note[] }>('GET', `${base(id)}/notes`),
  addNote: (id: number, text: string) => request<Note>('POST', `${base(id)}/notes`, { text }),
  attachments: (id: number) => request<{ attachments: Attachment[] }>('GET', `${base(id)}/attachments`),
  attach: (id: number, name: string, contentBase64: string) =>
    request<{ attachments: Attachment[] }>('POST', `${base(id)}/attachments`, { name, content_base64: contentBase64 }),
  attachmentUrl: (id: number, aid: number) => `${base(id)}/attachments/${aid}`,
  countries: () => request<{ countries: Country[] }>('GET', '/api/v1/reference/countries'),
  users: () => request<{ users: User[] }>('GET', '/api/v1/users'),

  catalogues: () => request<{ catalogues: Catalogue[] }>('GET', '/api/v1/indicators/catalogues'),
  screenings: (id: number) => request<{ screenings: Screening[] }>('GET', `${base(id)}/screenings`),
  startScreening: (id: number, catalogue: string) =>
    request<Screening>('POST', `${base(id)}/screenings`, { catalogue }),
  saveScreening: (id: number, sid: number, answers: Record<string, AnswerEntry>, complete?: boolean) =>
    request<Screening>('PATCH', `${base(id)}/screenings/${sid}`, complete ? { answers, complete } : { answers }),

  ruleSets: () => request<{ rule_sets: RuleSetInfo[] }>('GET', '/api/v1/legal/rule-sets'),
  classification: (id: number) => request<Classification>('GET', `${base(id)}/classification`),
  classify: (id: number, facts: Facts) => request<Classification>('PUT', `${base(id)}/classification`, { facts }),
};
