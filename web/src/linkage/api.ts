// The linkage exchange's project endpoints (exchange/exchange.h), as the browser app uses them.
// The browser never uploads CLKs: parties encode and upload with `ctis link` on their side.
import { request } from '../api';

export interface Party {
  organisation_id: number;
  organisation: string;
  uploaded: boolean;
  uploaded_at: string | null;
  records: number;
  matched: number;
}

export interface Project {
  id: number;
  name: string;
  clk_bits: number;
  threshold: number;
  status: 'waiting' | 'matched';
  groups: number;
  parties: Party[];
  created_at: string;
  matched_at: string | null;
}

export interface NewProject {
  name: string;
  schema: unknown;
  threshold: number;
  parties: string[];
}

export const linkageApi = {
  projects: () => request<{ projects: Project[] }>('GET', '/api/v1/linkage/projects'),
  project: (id: number) => request<Project>('GET', `/api/v1/linkage/projects/${id}`),
  create: (p: NewProject) => request<Project>('POST', '/api/v1/linkage/projects', p),
};

/** Roles the projects endpoints answer (see exchange_endpoints.cc). */
export function seesProjects(role: string): boolean {
  return ['admin', 'coordinator', 'analyst', 'partner'].includes(role);
}

/** Administrators and coordinators set projects up. */
export function createsProjects(role: string): boolean {
  return role === 'admin' || role === 'coordinator';
}

/** A one-feature clkhash schema v3 to start from; partners usually agree on their own. */
export const STARTER_SCHEMA = {
  version: 3,
  clkConfig: { l: 1024, kdf: { type: 'HKDF', hash: 'SHA256', keySize: 64 } },
  features: [
    {
      identifier: 'name',
      format: { type: 'string', encoding: 'utf-8' },
      hashing: { comparison: { type: 'ngram', n: 2 }, strategy: { bitsPerToken: 20 } },
    },
  ],
};
