import type { TableRows } from '../destinations/destination';
import type { Row } from './table-schema';
import {
  LABELS,
  ORGANIZATION_MEMBERS,
  ORGANIZATIONS,
  PHASE_FIELDS,
  PHASES,
  PIPE_MEMBERS,
  PIPE_RELATIONS,
  PIPES,
  TABLE_FIELDS,
  TABLE_MEMBERS,
  TABLE_STATUSES,
  TABLES,
  USERS,
} from './tables';
import { toUtcTimestamp } from './values';

type IdRef = { id: string } | null | undefined;
type ApiRecord = Record<string, unknown>;

interface ApiMember {
  role_name?: string | null;
  user?: ({ id: string } & ApiRecord) | null;
}

export interface ApiOrganization extends ApiRecord {
  id: string;
  members?: ApiMember[] | null;
  pipes?: IdRef[] | null;
}

export interface ApiFieldDefinition extends ApiRecord {
  id: string;
  internal_id: string;
  connected_repo?: IdRef | Record<string, never>;
}

export interface ApiPipe extends ApiRecord {
  id: string;
  organization?: IdRef;
  phases?: (ApiRecord & { id: string; fields?: ApiFieldDefinition[] | null })[] | null;
  start_form_fields?: ApiFieldDefinition[] | null;
  labels?: (ApiRecord & { id: string })[] | null;
  members?: ApiMember[] | null;
  childrenRelations?: (ApiRecord & { id: string; parent?: IdRef; child?: IdRef })[] | null;
}

export interface ApiTable extends ApiRecord {
  id: string;
  organization?: IdRef;
  table_fields?: ApiFieldDefinition[] | null;
  labels?: (ApiRecord & { id: string })[] | null;
  statuses?: (ApiRecord & { id: string })[] | null;
  members?: ApiMember[] | null;
}

/** Rows for `organizations`, `users` and `organization_members`. */
export function normalizeOrganizations(organizations: ApiOrganization[]): TableRows[] {
  const organizationRows: Row[] = [];
  const memberRows: Row[] = [];
  const users = new Map<string, Row>();

  for (const organization of organizations) {
    organizationRows.push({
      id: organization.id,
      name: organization.name ?? null,
      created_at: toUtcTimestamp(organization.created_at),
      role: organization.role ?? null,
      users_count: organization.users_count ?? null,
      custom_logo_url: organization.custom_logo_url ?? null,
      only_admin_can_create_pipes: organization.only_admin_can_create_pipes ?? null,
      only_admin_can_invite_users: organization.only_admin_can_invite_users ?? null,
    });

    for (const member of organization.members ?? []) {
      const user = member.user;
      if (!user?.id) continue;
      memberRows.push({ organization_id: organization.id, user_id: user.id, role_name: member.role_name ?? null });
      users.set(user.id, userRow(user));
    }
  }

  return [
    { table: ORGANIZATIONS, rows: organizationRows },
    { table: USERS, rows: [...users.values()] },
    {
      table: ORGANIZATION_MEMBERS,
      rows: memberRows,
      replaceWhere: { column: 'organization_id', values: organizations.map((organization) => organization.id) },
    },
  ];
}

function userRow(user: ApiRecord & { id: string }): Row {
  return {
    id: user.id,
    name: user.name ?? null,
    username: user.username ?? null,
    email: user.email ?? null,
    display_name: user.displayName ?? null,
    avatar_url: user.avatarUrl ?? null,
    created_at: toUtcTimestamp(user.created_at),
    locale: user.locale ?? null,
    time_zone: user.timeZone ?? null,
    department_key: user.departmentKey ?? null,
  };
}

/** Rows for `pipes`, `phases`, `phase_fields`, pipe `labels`, `pipe_members` and `pipe_relations`. */
export function normalizePipes(pipes: ApiPipe[]): TableRows[] {
  const pipeIds = pipes.map((pipe) => pipe.id);
  const replacePipes = { column: 'pipe_id', values: pipeIds };

  const pipeRows: Row[] = [];
  const phaseRows: Row[] = [];
  const fieldRows: Row[] = [];
  const labelRows: Row[] = [];
  const memberRows: Row[] = [];
  const relationRows: Row[] = [];

  for (const pipe of pipes) {
    pipeRows.push({
      id: pipe.id,
      organization_id: pipe.organization?.id ?? null,
      uuid: pipe.uuid ?? null,
      suid: pipe.suid ?? null,
      name: pipe.name ?? null,
      description: pipe.description ?? null,
      icon: pipe.icon ?? null,
      color: pipe.color ?? null,
      created_at: toUtcTimestamp(pipe.created_at),
      public: pipe.public ?? null,
      role: pipe.role ?? null,
      anyone_can_create_card: pipe.anyone_can_create_card ?? null,
      cards_count: pipe.cards_count ?? null,
      opened_cards_count: pipe.opened_cards_count ?? null,
      last_updated_by_card: toUtcTimestamp(pipe.last_updated_by_card),
      users_count: pipe.users_count ?? null,
      expiration_time_by_unit: pipe.expiration_time_by_unit ?? null,
      expiration_unit: pipe.expiration_unit ?? null,
    });

    (pipe.start_form_fields ?? []).forEach((field, position) => {
      fieldRows.push({ pipe_id: pipe.id, phase_id: null, editable: field.editable ?? null, ...fieldDefinitionRow(field, position) });
    });

    (pipe.phases ?? []).forEach((phase, position) => {
      phaseRows.push({
        id: phase.id,
        pipe_id: pipe.id,
        position,
        name: phase.name ?? null,
        description: phase.description ?? null,
        done: phase.done ?? null,
        created_at: toUtcTimestamp(phase.created_at),
        color: phase.color ?? null,
        sequential_id: phase.sequentialId ?? null,
        cards_count: phase.cards_count ?? null,
      });
      (phase.fields ?? []).forEach((field, fieldPosition) => {
        fieldRows.push({
          pipe_id: pipe.id,
          phase_id: phase.id,
          editable: field.editable ?? null,
          ...fieldDefinitionRow(field, fieldPosition),
        });
      });
    });

    for (const label of pipe.labels ?? []) {
      labelRows.push({ id: label.id, pipe_id: pipe.id, table_id: null, name: label.name ?? null, color: label.color ?? null });
    }
    for (const member of pipe.members ?? []) {
      if (member.user?.id) memberRows.push({ pipe_id: pipe.id, user_id: member.user.id, role_name: member.role_name ?? null });
    }
    for (const relation of pipe.childrenRelations ?? []) {
      relationRows.push({
        id: relation.id,
        name: relation.name ?? null,
        parent_id: relation.parent?.id ?? null,
        child_id: relation.child?.id ?? null,
        can_connect_existing_items: relation.canConnectExistingItems ?? null,
        can_connect_multiple_items: relation.canConnectMultipleItems ?? null,
        can_create_new_items: relation.canCreateNewItems ?? null,
        child_must_exist_to_finish_parent: relation.childMustExistToFinishParent ?? null,
        all_children_must_be_done_to_finish_parent: relation.allChildrenMustBeDoneToFinishParent ?? null,
      });
    }
  }

  return [
    { table: PIPES, rows: pipeRows },
    { table: PHASES, rows: phaseRows, replaceWhere: replacePipes },
    { table: PHASE_FIELDS, rows: fieldRows, replaceWhere: replacePipes },
    { table: LABELS, rows: labelRows, replaceWhere: replacePipes },
    { table: PIPE_MEMBERS, rows: memberRows, replaceWhere: replacePipes },
    { table: PIPE_RELATIONS, rows: relationRows, replaceWhere: { column: 'parent_id', values: pipeIds } },
  ];
}

/** Rows for `tables`, `table_fields`, database `labels`, `table_statuses` and `table_members`. */
export function normalizeTables(tables: ApiTable[]): TableRows[] {
  const replaceTables = { column: 'table_id', values: tables.map((table) => table.id) };

  const tableRows: Row[] = [];
  const fieldRows: Row[] = [];
  const labelRows: Row[] = [];
  const statusRows: Row[] = [];
  const memberRows: Row[] = [];

  for (const table of tables) {
    tableRows.push({
      id: table.id,
      organization_id: table.organization?.id ?? null,
      uuid: table.uuid ?? null,
      name: table.name ?? null,
      description: table.description ?? null,
      icon: table.icon ?? null,
      color: table.color ?? null,
      url: table.url ?? null,
      public: table.public ?? null,
      authorization: table.authorization ?? null,
      table_records_count: table.table_records_count ?? null,
      users_count: table.users_count ?? null,
    });

    (table.table_fields ?? []).forEach((field, position) => {
      fieldRows.push({ table_id: table.id, unique: field.unique ?? null, ...fieldDefinitionRow(field, position) });
    });
    for (const label of table.labels ?? []) {
      labelRows.push({ id: label.id, pipe_id: null, table_id: table.id, name: label.name ?? null, color: label.color ?? null });
    }
    for (const status of table.statuses ?? []) {
      statusRows.push({ table_id: table.id, id: status.id, name: status.name ?? null });
    }
    for (const member of table.members ?? []) {
      if (member.user?.id) memberRows.push({ table_id: table.id, user_id: member.user.id, role_name: member.role_name ?? null });
    }
  }

  return [
    { table: TABLES, rows: tableRows },
    { table: TABLE_FIELDS, rows: fieldRows, replaceWhere: replaceTables },
    { table: LABELS, rows: labelRows, replaceWhere: replaceTables },
    { table: TABLE_STATUSES, rows: statusRows, replaceWhere: replaceTables },
    { table: TABLE_MEMBERS, rows: memberRows, replaceWhere: replaceTables },
  ];
}

function fieldDefinitionRow(field: ApiFieldDefinition, position: number): Row {
  const connectedRepo = field.connected_repo as IdRef | Record<string, never>;
  return {
    internal_id: field.internal_id,
    field_id: field.id,
    uuid: field.uuid ?? null,
    position,
    label: field.label ?? null,
    type: field.type ?? null,
    description: field.description ?? null,
    help: field.help ?? null,
    options: field.options ?? [],
    required: field.required ?? null,
    is_multiple: field.is_multiple ?? null,
    index_name: field.index_name ?? null,
    minimal_view: field.minimal_view ?? null,
    custom_validation: field.custom_validation ?? null,
    can_connect_existing: field.canConnectExisting ?? null,
    can_connect_multiples: field.canConnectMultiples ?? null,
    connected_repo_id: connectedRepo && 'id' in connectedRepo ? connectedRepo.id : null,
  };
}
