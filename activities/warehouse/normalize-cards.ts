import type { TableRows } from '../destinations/destination';
import { type ApiFieldValue, fieldValueRow } from './field-values';
import type { Row } from './table-schema';
import {
  CARD_ASSIGNEES,
  CARD_ATTACHMENTS,
  CARD_COMMENTS,
  CARD_FIELDS,
  CARD_LABELS,
  CARD_PHASE_HISTORY,
  CARD_RELATIONS,
  CARDS,
} from './tables';
import { buildWideTableRows, wideTableName } from './typed-fields';
import { toIsoDate, toUtcTimestamp } from './values';

type IdRef = { id: string } | null | undefined;

interface ApiRelation {
  id?: string | null;
  name?: string | null;
  source_type?: string | null;
  pipe?: IdRef;
  cards?: IdRef[] | null;
}

/** A card as `CARDS_PAGE_QUERY` selects it. */
export interface ApiCard {
  id: string;
  uuid?: string | null;
  suid?: string | null;
  title?: string | null;
  url?: string | null;
  path?: string | null;
  done?: boolean | null;
  expired?: boolean | null;
  late?: boolean | null;
  due_date?: string | null;
  finished_at?: string | null;
  createdAt?: string | null;
  updated_at?: string | null;
  started_current_phase_at?: string | null;
  current_phase_age?: number | null;
  age?: number | null;
  creatorEmail?: string | null;
  emailMessagingAddress?: string | null;
  comments_count?: number | null;
  attachments_count?: number | null;
  checklist_items_count?: number | null;
  checklist_items_checked_count?: number | null;
  createdBy?: IdRef;
  pipe?: IdRef;
  current_phase?: IdRef;
  assignees?: IdRef[] | null;
  labels?: IdRef[] | null;
  fields?: ApiFieldValue[] | null;
  phases_history?:
    | {
        phase?: IdRef;
        firstTimeIn?: string | null;
        lastTimeIn?: string | null;
        lastTimeOut?: string | null;
        duration?: number | null;
        created_at?: string | null;
        became_late?: boolean | null;
        draft?: boolean | null;
      }[]
    | null;
  comments?: { id?: string | null; text?: string | null; created_at?: string | null; author_name?: string | null; author?: IdRef }[] | null;
  attachments?:
    | { url?: string | null; path?: string | null; createdAt?: string | null; createdBy?: IdRef; field?: IdRef; phase?: IdRef }[]
    | null;
  child_relations?: ApiRelation[] | null;
  parent_relations?: ApiRelation[] | null;
}

/**
 * Turns one page of cards into rows for `cards`, its child tables and the
 * pipe's wide typed table. Child tables carry `replaceWhere` on the card ids,
 * so a card loaded again replaces its old children as a whole.
 */
export function normalizeCards(cards: ApiCard[], pipeId: string): TableRows[] {
  const cardIds = cards.map((card) => card.id);
  const replaceCards = { column: 'card_id', values: cardIds };

  const cardRows: Row[] = [];
  const fieldRows: Row[] = [];
  const assigneeRows: Row[] = [];
  const labelRows: Row[] = [];
  const historyRows: Row[] = [];
  const commentRows: Row[] = [];
  const attachmentRows: Row[] = [];
  const relationRows: Row[] = [];

  for (const card of cards) {
    cardRows.push(cardRow(card, pipeId));

    (card.fields ?? []).forEach((field, position) => {
      if (!field?.field?.id) return;
      fieldRows.push({ card_id: card.id, pipe_id: pipeId, ...fieldValueRow(field, position) });
    });
    idList(card.assignees).forEach((userId, position) => assigneeRows.push({ card_id: card.id, user_id: userId, position }));
    idList(card.labels).forEach((labelId, position) => labelRows.push({ card_id: card.id, label_id: labelId, position }));

    (card.phases_history ?? []).forEach((entry, position) => {
      historyRows.push({
        card_id: card.id,
        position,
        phase_id: entry.phase?.id ?? null,
        first_time_in: toUtcTimestamp(entry.firstTimeIn),
        last_time_in: toUtcTimestamp(entry.lastTimeIn),
        last_time_out: toUtcTimestamp(entry.lastTimeOut),
        duration: entry.duration ?? null,
        created_at: toUtcTimestamp(entry.created_at),
        became_late: entry.became_late ?? null,
        draft: entry.draft ?? null,
      });
    });

    (card.comments ?? []).forEach((comment, position) => {
      commentRows.push({
        card_id: card.id,
        position,
        id: comment.id ?? null,
        text: comment.text ?? null,
        created_at: toUtcTimestamp(comment.created_at),
        author_id: comment.author?.id ?? null,
        author_name: comment.author_name ?? null,
      });
    });

    (card.attachments ?? []).forEach((attachment, position) => {
      attachmentRows.push({
        card_id: card.id,
        position,
        url: attachment.url ?? null,
        path: attachment.path ?? null,
        created_at: toIsoDate(attachment.createdAt),
        created_by_id: attachment.createdBy?.id ?? null,
        field_id: attachment.field?.id ?? null,
        phase_id: attachment.phase?.id ?? null,
      });
    });

    relationRows.push(...relationRowsOf(card.id, 'child', card.child_relations));
    relationRows.push(...relationRowsOf(card.id, 'parent', card.parent_relations));
  }

  const wideItems = cards.map((card) => ({ id: card.id, fields: (card.fields ?? []).filter(Boolean) }));

  return [
    { table: CARDS, rows: cardRows },
    { table: CARD_FIELDS, rows: fieldRows, replaceWhere: replaceCards },
    { table: CARD_ASSIGNEES, rows: assigneeRows, replaceWhere: replaceCards },
    { table: CARD_LABELS, rows: labelRows, replaceWhere: replaceCards },
    { table: CARD_PHASE_HISTORY, rows: historyRows, replaceWhere: replaceCards },
    { table: CARD_COMMENTS, rows: commentRows, replaceWhere: replaceCards },
    { table: CARD_ATTACHMENTS, rows: attachmentRows, replaceWhere: replaceCards },
    { table: CARD_RELATIONS, rows: relationRows, replaceWhere: replaceCards },
    ...buildWideTableRows(wideTableName('pipe', pipeId), 'card_id', wideItems),
  ];
}

function cardRow(card: ApiCard, pipeId: string): Row {
  return {
    id: card.id,
    pipe_id: card.pipe?.id ?? pipeId,
    current_phase_id: card.current_phase?.id ?? null,
    uuid: card.uuid ?? null,
    suid: card.suid ?? null,
    title: card.title ?? null,
    url: card.url ?? null,
    path: card.path ?? null,
    done: card.done ?? null,
    expired: card.expired ?? null,
    late: card.late ?? null,
    due_date: toUtcTimestamp(card.due_date),
    finished_at: toUtcTimestamp(card.finished_at),
    created_at: toUtcTimestamp(card.createdAt),
    updated_at: toUtcTimestamp(card.updated_at),
    started_current_phase_at: toUtcTimestamp(card.started_current_phase_at),
    current_phase_age: card.current_phase_age ?? null,
    age: card.age ?? null,
    created_by_id: card.createdBy?.id ?? null,
    creator_email: card.creatorEmail ?? null,
    email_messaging_address: card.emailMessagingAddress ?? null,
    comments_count: card.comments_count ?? null,
    attachments_count: card.attachments_count ?? null,
    checklist_items_count: card.checklist_items_count ?? null,
    checklist_items_checked_count: card.checklist_items_checked_count ?? null,
    deleted_at: null,
  };
}

function relationRowsOf(cardId: string, direction: 'child' | 'parent', relations: ApiRelation[] | null | undefined): Row[] {
  const rows: Row[] = [];
  (relations ?? []).forEach((relation, relationPosition) => {
    for (const relatedId of idList(relation.cards)) {
      rows.push({
        card_id: cardId,
        direction,
        relation_position: relationPosition,
        relation_id: relation.id ?? null,
        relation_name: relation.name ?? null,
        source_type: relation.source_type ?? null,
        related_pipe_id: relation.pipe?.id ?? null,
        related_card_id: relatedId,
      });
    }
  });
  return rows;
}

/** Ids of a list of `{ id }` objects, skipping nulls, without duplicates. */
export function idList(items: IdRef[] | null | undefined): string[] {
  const ids = (items ?? []).map((item) => item?.id).filter((id): id is string => typeof id === 'string');
  return [...new Set(ids)];
}
