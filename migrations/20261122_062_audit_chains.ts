// The audit trail becomes one hash chain per submission (and one 'global' chain for events about no submission),
// so that saving different agencies' reports no longer waits on one lock for the whole province; each chain is
// still append-only and verified link by link. Existing rows belong to the 'global' chain.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE audit_events ADD COLUMN chain text NOT NULL DEFAULT 'global'`);
  await knex.raw('CREATE INDEX audit_events_chain_id ON audit_events (chain, id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX audit_events_chain_id');
  await knex.raw('ALTER TABLE audit_events DROP COLUMN chain');
}
