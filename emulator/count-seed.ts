/**
 * Expected warehouse row counts for a seeded organization, for tests that
 * compare a finished sync with the emulator. It walks every generated card
 * and record, so it costs about as much as reading them once.
 */
import { buildCard, generateCardCore } from './card-generator';
import { MAX_PAGE_SIZE } from './paging';
import { buildRecord, parentRecordIndexesOf } from './record-generator';
import type { SeedOrganization } from './seed-types';

/**
 * Row counts per warehouse table. Each count is what the connector's
 * queries return for the untouched seed (no admin mutations):
 * - organizations: organizations (1).
 * - pipes: pipes.
 * - phases: phases of all pipes.
 * - phase_fields: start form fields plus phase fields of all pipes (statement and id fields included).
 * - labels: pipe labels plus table labels.
 * - users: distinct users in `organization.members` (every user is a member).
 * - organization_members: entries of `organization.members`.
 * - pipe_members: entries of `pipe.members`, summed over pipes.
 * - cards: cards of all pipes, done cards included.
 * - card_fields: entries of all cards' `fields` arrays.
 * - card_assignees: entries of all cards' `assignees`.
 * - card_labels: entries of all cards' `labels`.
 * - card_phase_history: entries of all cards' `phases_history`.
 * - card_comments: entries of all cards' `comments`.
 * - card_attachments: entries of all cards' `attachments`.
 * - card_relations: related cards listed in `child_relations[].cards` plus
 *   `parent_relations[].cards`, summed over cards. Each parent/child link is
 *   counted twice, once from each side.
 * - tables: databases.
 * - table_fields: entries of all tables' `table_fields`.
 * - table_records: records of all tables, done records included.
 * - table_record_fields: entries of all records' `record_fields`.
 * - table_record_assignees: entries of all records' `assignees`.
 * - table_record_labels: entries of all records' `labels`.
 * - table_record_relations: related records listed in the first page (50)
 *   of each record's `parent_relations[].repo_items`, summed over records.
 *   Items beyond the first page are left out, as the connector reads only
 *   that page.
 */
export interface SeedCounts {
  organizations: number;
  pipes: number;
  phases: number;
  phase_fields: number;
  labels: number;
  users: number;
  organization_members: number;
  pipe_members: number;
  cards: number;
  card_fields: number;
  card_assignees: number;
  card_labels: number;
  card_phase_history: number;
  card_comments: number;
  card_attachments: number;
  card_relations: number;
  tables: number;
  table_fields: number;
  table_records: number;
  table_record_fields: number;
  table_record_assignees: number;
  table_record_labels: number;
  table_record_relations: number;
}

/** Counts the rows a full sync of the untouched seeded organization produces. */
export function countSeed(organization: SeedOrganization): SeedCounts {
  const { pipes, tables } = organization;
  const counts: SeedCounts = {
    organizations: 1,
    pipes: pipes.length,
    phases: pipes.reduce((total, pipe) => total + pipe.phases.length, 0),
    phase_fields: pipes.reduce(
      (total, pipe) => total + pipe.start_form_fields.length + pipe.phases.reduce((sum, phase) => sum + phase.fields.length, 0),
      0,
    ),
    labels: pipes.reduce((total, pipe) => total + pipe.labels.length, 0) + tables.reduce((total, table) => total + table.labels.length, 0),
    users: new Set(organization.organization.members.map((member) => member.user.id)).size,
    organization_members: organization.organization.members.length,
    pipe_members: pipes.reduce((total, pipe) => total + pipe.members.length, 0),
    cards: 0,
    card_fields: 0,
    card_assignees: 0,
    card_labels: 0,
    card_phase_history: 0,
    card_comments: 0,
    card_attachments: 0,
    card_relations: 0,
    tables: tables.length,
    table_fields: tables.reduce((total, table) => total + table.table_fields.length, 0),
    table_records: 0,
    table_record_fields: 0,
    table_record_assignees: 0,
    table_record_labels: 0,
    table_record_relations: countRecordRelations(organization),
  };

  for (const pipe of pipes) {
    for (let index = 0; index < pipe.cardCount; index += 1) {
      const card = buildCard(organization, generateCardCore(organization, pipe, index));
      counts.cards += 1;
      counts.card_fields += card.fields.length;
      counts.card_assignees += card.assignees.length;
      counts.card_labels += card.labels.length;
      counts.card_phase_history += card.phases_history.length;
      counts.card_comments += card.comments.length;
      counts.card_attachments += card.attachments.length;
    }
  }
  counts.card_relations = 2 * countParentChildLinks(organization);

  for (const table of tables) {
    for (let index = 0; index < table.recordCount; index += 1) {
      const record = buildRecord(organization, table, index);
      counts.table_records += 1;
      counts.table_record_fields += record.record_fields.length;
      counts.table_record_assignees += record.assignees.length;
      counts.table_record_labels += record.labels.length;
    }
  }
  return counts;
}

/** Counts record relation items up to one page per relation, as `parentRecordIndexesOf` assigns them. */
function countRecordRelations(organization: SeedOrganization): number {
  let items = 0;
  for (const relation of organization.tableRelations) {
    for (let childIndex = 0; childIndex < relation.child.recordCount; childIndex += 1) {
      items += Math.min(MAX_PAGE_SIZE, parentRecordIndexesOf(childIndex, relation.parent.recordCount).length);
    }
  }
  return items;
}

/** Counts parent/child card links: a pipe 1 card with index j has a parent when j % 3 != 0 and floor(j / 2) is a pipe 0 card. */
function countParentChildLinks(organization: SeedOrganization): number {
  let links = 0;
  for (const relation of organization.pipeRelations) {
    for (let childIndex = 0; childIndex < relation.child.cardCount; childIndex += 1) {
      if (childIndex % 3 !== 0 && Math.floor(childIndex / 2) < relation.parent.cardCount) links += 1;
    }
  }
  return links;
}
