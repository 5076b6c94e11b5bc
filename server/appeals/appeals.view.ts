// Read queries for the appeal screens.
import type { Knex } from 'knex';

export interface AppealListRow {
  id: number;
  periodId: number;
  periodName: string;
  agencyId: number;
  agencyName: string;
  state: 'open' | 'accepted' | 'rejected';
  filedAt: Date;
  filedByName: string;
  decidedAt: Date | null;
  items: number;
  resultPublication: number | null;
}

export async function listAppeals(db: Knex, agencyId?: number): Promise<AppealListRow[]> {
  const q = db('appeals as ap')
    .join('periods as p', 'p.id', 'ap.period_id')
    .join('agencies as a', 'a.id', 'ap.agency_id')
    .join('users as u', 'u.id', 'ap.filed_by')
    .leftJoin('publications as rp', 'rp.id', 'ap.result_publication_id');
  if (agencyId !== undefined) q.where('ap.agency_id', agencyId);
  const rows = await q
    .orderByRaw("CASE WHEN ap.state = 'open' THEN 0 ELSE 1 END")
    .orderBy('ap.id', 'desc')
    .limit(500)
    .select(
      'ap.id',
      'ap.period_id',
      'p.name as period_name',
      'ap.agency_id',
      'a.name as agency_name',
      'ap.state',
      'ap.filed_at',
      'u.full_name as filed_by_name',
      'ap.decided_at',
      'rp.number as result_publication',
      db('appeal_items as i').whereRaw('i.appeal_id = ap.id').count('*').as('items'),
    );
  return rows.map((r) => ({
    id: r.id,
    periodId: r.period_id,
    periodName: r.period_name,
    agencyId: r.agency_id,
    agencyName: r.agency_name,
    state: r.state,
    filedAt: r.filed_at,
    filedByName: r.filed_by_name,
    decidedAt: r.decided_at,
    items: Number(r.items),
    resultPublication: r.result_publication ?? null,
  }));
}

export interface AppealNames {
  periodName: string;
  agencyName: string;
  filedByName: string;
  decidedByName: string | null;
  publicationNumber: number;
  publishedAt: Date;
  resultPublicationNumber: number | null;
}

export async function appealNames(db: Knex, appealId: number): Promise<AppealNames | undefined> {
  const r = await db('appeals as ap')
    .join('periods as p', 'p.id', 'ap.period_id')
    .join('agencies as a', 'a.id', 'ap.agency_id')
    .join('users as f', 'f.id', 'ap.filed_by')
    .leftJoin('users as d', 'd.id', 'ap.decided_by')
    .join('publications as pub', 'pub.id', 'ap.publication_id')
    .leftJoin('publications as rp', 'rp.id', 'ap.result_publication_id')
    .where('ap.id', appealId)
    .first(
      'p.name as period_name',
      'a.name as agency_name',
      'f.full_name as filed_by_name',
      'd.full_name as decided_by_name',
      'pub.number as publication_number',
      'pub.published_at',
      'rp.number as result_publication_number',
    );
  return (
    r && {
      periodName: r.period_name,
      agencyName: r.agency_name,
      filedByName: r.filed_by_name,
      decidedByName: r.decided_by_name ?? null,
      publicationNumber: r.publication_number,
      publishedAt: r.published_at,
      resultPublicationNumber: r.result_publication_number ?? null,
    }
  );
}
