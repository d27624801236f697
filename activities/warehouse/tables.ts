import type { ColumnSchema, ColumnType, TableSchema } from './table-schema';

type ColumnSpec = [name: string, type: ColumnType, description: string];

function defineTable(name: string, description: string, primaryKey: string[], columns: ColumnSpec[]): TableSchema {
  return {
    name,
    description,
    primaryKey,
    columns: columns.map(([columnName, type, columnDescription]): ColumnSchema => ({
      name: columnName,
      type,
      description: columnDescription,
    })),
  };
}

/*
 * The fixed tables of the warehouse. Wide per-pipe and per-database tables
 * are built at run time by `typed-fields.ts`. Timestamps are UTC; ids are
 * Pipefy's own, as text.
 */

export const ORGANIZATIONS = defineTable('organizations', 'Organizations the token can see.', ['id'], [
  ['id', 'text', 'Organization id.'],
  ['name', 'text', 'Organization name.'],
  ['created_at', 'timestamp', 'When the organization was created.'],
  ['role', 'text', "The token user's role in the organization."],
  ['users_count', 'bigint', 'Number of users.'],
  ['custom_logo_url', 'text', 'Logo URL, if any.'],
  ['only_admin_can_create_pipes', 'boolean', 'Whether only admins create pipes.'],
  ['only_admin_can_invite_users', 'boolean', 'Whether only admins invite users.'],
]);

export const USERS = defineTable('users', 'Members of the organizations, one row per user.', ['id'], [
  ['id', 'text', 'User id.'],
  ['name', 'text', 'Full name.'],
  ['username', 'text', 'Username.'],
  ['email', 'text', 'Email address.'],
  ['display_name', 'text', 'Name shown in Pipefy.'],
  ['avatar_url', 'text', 'Avatar image URL.'],
  ['created_at', 'timestamp', 'When the user was created.'],
  ['locale', 'text', 'Locale, such as pt-BR.'],
  ['time_zone', 'text', 'Time zone name.'],
  ['department_key', 'text', 'Department key, if any.'],
]);

export const ORGANIZATION_MEMBERS = defineTable(
  'organization_members',
  'Users of each organization with their role.',
  ['organization_id', 'user_id'],
  [
    ['organization_id', 'text', 'Organization id.'],
    ['user_id', 'text', 'User id.'],
    ['role_name', 'text', 'Role: super_admin, admin, normal, company_guest or external_guest.'],
  ],
);

export const PIPES = defineTable('pipes', 'Pipes (processes) with their counters.', ['id'], [
  ['id', 'text', 'Pipe id.'],
  ['organization_id', 'text', 'Organization id.'],
  ['uuid', 'text', 'Pipe UUID.'],
  ['suid', 'text', 'Short id.'],
  ['name', 'text', 'Pipe name.'],
  ['description', 'text', 'Description.'],
  ['icon', 'text', 'Icon name.'],
  ['color', 'text', 'Colour name.'],
  ['created_at', 'timestamp', 'When the pipe was created.'],
  ['public', 'boolean', 'Whether the pipe is public.'],
  ['role', 'text', "The token user's role in the pipe."],
  ['anyone_can_create_card', 'boolean', 'Whether any member may create cards.'],
  ['cards_count', 'bigint', 'Cards in the pipe, as Pipefy counts them.'],
  ['opened_cards_count', 'bigint', 'Cards not done.'],
  ['last_updated_by_card', 'timestamp', 'When a card of the pipe last changed.'],
  ['users_count', 'bigint', 'Members of the pipe.'],
  ['expiration_time_by_unit', 'bigint', 'Card expiration time, in expiration_unit.'],
  ['expiration_unit', 'bigint', 'Unit of expiration_time_by_unit.'],
]);

export const PIPE_MEMBERS = defineTable('pipe_members', 'Users of each pipe with their role.', ['pipe_id', 'user_id'], [
  ['pipe_id', 'text', 'Pipe id.'],
  ['user_id', 'text', 'User id.'],
  ['role_name', 'text', 'Role in the pipe.'],
]);

export const PIPE_RELATIONS = defineTable('pipe_relations', 'Connections between pipes and databases.', ['id'], [
  ['id', 'text', 'Relation id.'],
  ['name', 'text', 'Relation name.'],
  ['parent_id', 'text', 'Parent pipe or database id.'],
  ['child_id', 'text', 'Child pipe or database id.'],
  ['can_connect_existing_items', 'boolean', 'Existing items may be connected.'],
  ['can_connect_multiple_items', 'boolean', 'Several items may be connected.'],
  ['can_create_new_items', 'boolean', 'New items may be created from the parent.'],
  ['child_must_exist_to_finish_parent', 'boolean', 'A child is required to finish the parent.'],
  ['all_children_must_be_done_to_finish_parent', 'boolean', 'Every child must be done to finish the parent.'],
]);

export const PHASES = defineTable('phases', 'Phases of each pipe, in board order.', ['id'], [
  ['id', 'text', 'Phase id.'],
  ['pipe_id', 'text', 'Pipe id.'],
  ['position', 'bigint', 'Position on the board, from 0.'],
  ['name', 'text', 'Phase name.'],
  ['description', 'text', 'Description; NULL and empty are kept as Pipefy sends them.'],
  ['done', 'boolean', 'Whether cards here count as done.'],
  ['created_at', 'timestamp', 'When the phase was created.'],
  ['color', 'text', 'Colour name.'],
  ['sequential_id', 'text', 'Sequential id.'],
  ['cards_count', 'bigint', 'Cards in the phase.'],
]);

const FIELD_DEFINITION_COLUMNS: ColumnSpec[] = [
  ['internal_id', 'text', 'Numeric field id, unique across Pipefy.'],
  ['field_id', 'text', 'Field slug, the key of card and record field values.'],
  ['uuid', 'text', 'Field UUID.'],
  ['position', 'bigint', 'Position in its form, from 0.'],
  ['label', 'text', 'Field label.'],
  ['type', 'text', 'Field type, such as short_text, currency or connector.'],
  ['description', 'text', 'Description.'],
  ['help', 'text', 'Help text.'],
  ['options', 'json', 'Option texts of choice fields; [] for others.'],
  ['required', 'boolean', 'Whether the field is required; NULL when Pipefy sends none.'],
  ['is_multiple', 'boolean', 'Whether the field takes several values.'],
  ['index_name', 'text', 'Internal index name, such as field_3_string.'],
  ['minimal_view', 'boolean', 'Whether the field shows in minimal view.'],
  ['custom_validation', 'text', 'Custom validation expression.'],
  ['can_connect_existing', 'boolean', 'Connector fields: existing items may be connected.'],
  ['can_connect_multiples', 'boolean', 'Connector fields: several items may be connected.'],
  ['connected_repo_id', 'text', 'Connector fields: the connected pipe or database id.'],
];

export const PHASE_FIELDS = defineTable(
  'phase_fields',
  'Field definitions of pipes: the start form (phase_id NULL) and each phase.',
  ['internal_id'],
  [
    ['pipe_id', 'text', 'Pipe id.'],
    ['phase_id', 'text', 'Phase id; NULL for start-form fields.'],
    ['editable', 'boolean', 'Whether the field may be edited.'],
    ...FIELD_DEFINITION_COLUMNS,
  ],
);

export const LABELS = defineTable('labels', 'Labels of pipes and databases.', ['id'], [
  ['id', 'text', 'Label id.'],
  ['pipe_id', 'text', 'Pipe id, for pipe labels.'],
  ['table_id', 'text', 'Database id, for database labels.'],
  ['name', 'text', 'Label name.'],
  ['color', 'text', 'Colour as Pipefy stores it (#0F0, #f51b34, ...).'],
]);

export const CARDS = defineTable('cards', 'Cards of every pipe, done cards included.', ['id'], [
  ['id', 'text', 'Card id.'],
  ['pipe_id', 'text', 'Pipe id.'],
  ['current_phase_id', 'text', 'Phase the card is in.'],
  ['uuid', 'text', 'Card UUID.'],
  ['suid', 'text', 'Short id.'],
  ['title', 'text', 'Title (can be the card id or a draft title).'],
  ['url', 'text', 'Card URL.'],
  ['path', 'text', 'Card path.'],
  ['done', 'boolean', 'Whether the card is in a done phase.'],
  ['expired', 'boolean', 'Whether the card expired.'],
  ['late', 'boolean', 'Whether the card is late.'],
  ['due_date', 'timestamp', 'Due date.'],
  ['finished_at', 'timestamp', 'When the card was finished.'],
  ['created_at', 'timestamp', 'When the card was created.'],
  ['updated_at', 'timestamp', 'When the card last changed.'],
  ['started_current_phase_at', 'timestamp', 'When the card entered its current phase.'],
  ['current_phase_age', 'bigint', 'Seconds in the current phase, when loaded.'],
  ['age', 'bigint', 'Seconds since creation, when loaded.'],
  ['created_by_id', 'text', 'User who created the card.'],
  ['creator_email', 'text', 'Email of the creator (public forms).'],
  ['email_messaging_address', 'text', "The card's inbox address."],
  ['comments_count', 'bigint', 'Number of comments.'],
  ['attachments_count', 'bigint', 'Number of attachments.'],
  ['checklist_items_count', 'bigint', 'Checklist items.'],
  ['checklist_items_checked_count', 'bigint', 'Checked checklist items.'],
  ['deleted_at', 'timestamp', 'When a deletion scan found the card gone from Pipefy; NULL while it exists.'],
]);

const FIELD_VALUE_COLUMNS: ColumnSpec[] = [
  ['field_id', 'text', 'Field slug.'],
  ['field_internal_id', 'text', 'Numeric field id.'],
  ['position', 'bigint', 'Position in the API answer, from 0.'],
  ['label', 'text', 'Field label when loaded.'],
  ['type', 'text', 'Field type.'],
  ['value', 'text', 'Raw value exactly as Pipefy sends it (always a string).'],
  ['array_value', 'json', 'array_value from the API (lists, connector ids); NULL for scalar fields.'],
  ['date_value', 'date', 'date_value from the API.'],
  ['datetime_value', 'timestamp', 'datetime_value from the API, in UTC.'],
  ['float_value', 'double', 'float_value from the API.'],
  ['report_value', 'text', 'report_value from the API.'],
  ['number_value', 'decimal', 'Typed: number and currency fields as exact decimals (locale commas handled).'],
  ['date_parsed', 'date', 'Typed: date fields as a date.'],
  ['datetime_parsed', 'timestamp', 'Typed: datetime and due_date fields in UTC.'],
  ['list_value', 'json', 'Typed: multi-value fields (checklists, labels, assignees, attachments, connectors) as a list.'],
  ['index_name', 'text', 'Internal index name.'],
  ['filled_at', 'timestamp', 'When the field was first filled.'],
  ['updated_at', 'timestamp', 'When the field last changed.'],
];

export const CARD_FIELDS = defineTable(
  'card_fields',
  'Custom field values of cards, one row per card and filled field.',
  ['card_id', 'field_id'],
  [['card_id', 'text', 'Card id.'], ['pipe_id', 'text', 'Pipe id.'], ...FIELD_VALUE_COLUMNS],
);

export const CARD_ASSIGNEES = defineTable('card_assignees', 'Users assigned to each card.', ['card_id', 'user_id'], [
  ['card_id', 'text', 'Card id.'],
  ['user_id', 'text', 'User id.'],
  ['position', 'bigint', 'Position in the API answer.'],
]);

export const CARD_LABELS = defineTable('card_labels', 'Labels on each card.', ['card_id', 'label_id'], [
  ['card_id', 'text', 'Card id.'],
  ['label_id', 'text', 'Label id.'],
  ['position', 'bigint', 'Position in the API answer.'],
]);

export const CARD_PHASE_HISTORY = defineTable(
  'card_phase_history',
  'Phases each card has been in, in the order Pipefy lists them.',
  ['card_id', 'position'],
  [
    ['card_id', 'text', 'Card id.'],
    ['position', 'bigint', 'Position in phases_history.'],
    ['phase_id', 'text', 'Phase id.'],
    ['first_time_in', 'timestamp', 'First entry into the phase.'],
    ['last_time_in', 'timestamp', 'Last entry into the phase.'],
    ['last_time_out', 'timestamp', 'Last exit; NULL while the card is in it.'],
    ['duration', 'bigint', 'Seconds spent in the phase.'],
    ['created_at', 'timestamp', 'When the history entry was created.'],
    ['became_late', 'boolean', 'Whether the card became late in the phase.'],
    ['draft', 'boolean', 'Whether the entry is a draft.'],
  ],
);

export const CARD_COMMENTS = defineTable('card_comments', 'Comments on cards.', ['card_id', 'position'], [
  ['card_id', 'text', 'Card id.'],
  ['position', 'bigint', 'Position in the API answer.'],
  ['id', 'text', 'Comment id.'],
  ['text', 'text', 'Comment text.'],
  ['created_at', 'timestamp', 'When the comment was written.'],
  ['author_id', 'text', 'Author user id.'],
  ['author_name', 'text', 'Author name.'],
]);

export const CARD_ATTACHMENTS = defineTable('card_attachments', 'Attachment metadata of cards.', ['card_id', 'position'], [
  ['card_id', 'text', 'Card id.'],
  ['position', 'bigint', 'Position in the API answer.'],
  ['url', 'text', 'Signed download URL; it expires (see expires_on in the URL).'],
  ['path', 'text', 'Storage path.'],
  ['created_at', 'date', 'Upload date.'],
  ['created_by_id', 'text', 'Uploader user id.'],
  ['field_id', 'text', 'Attachment field slug, if uploaded through a field.'],
  ['phase_id', 'text', 'Phase of the upload.'],
]);

export const CARD_RELATIONS = defineTable(
  'card_relations',
  'Parent and child card connections, one row per related card.',
  ['card_id', 'direction', 'relation_position', 'related_card_id'],
  [
    ['card_id', 'text', 'Card id.'],
    ['direction', 'text', 'child (the related card is a child of this card) or parent.'],
    ['relation_position', 'bigint', 'Position of the relation in the API answer.'],
    ['relation_id', 'text', 'Relation id.'],
    ['relation_name', 'text', 'Relation name.'],
    ['source_type', 'text', 'Source type, such as PipeRelation or Field.'],
    ['related_pipe_id', 'text', 'Pipe of the related cards.'],
    ['related_card_id', 'text', 'Related card id.'],
  ],
);

export const TABLES = defineTable('tables', 'Databases (Pipefy tables).', ['id'], [
  ['id', 'text', 'Database id (an 8-character slug).'],
  ['organization_id', 'text', 'Organization id.'],
  ['uuid', 'text', 'Database UUID.'],
  ['name', 'text', 'Database name.'],
  ['description', 'text', 'Description.'],
  ['icon', 'text', 'Icon name.'],
  ['color', 'text', 'Colour name.'],
  ['url', 'text', 'Database URL.'],
  ['public', 'boolean', 'Whether the database is public.'],
  ['authorization', 'text', "The token user's access: read or write."],
  ['table_records_count', 'bigint', 'Records, as Pipefy counts them.'],
  ['users_count', 'bigint', 'Members.'],
]);

export const TABLE_FIELDS = defineTable('table_fields', 'Field definitions of databases.', ['internal_id'], [
  ['table_id', 'text', 'Database id.'],
  ['unique', 'boolean', 'Whether values must be unique.'],
  ...FIELD_DEFINITION_COLUMNS,
]);

export const TABLE_STATUSES = defineTable('table_statuses', 'Record statuses of databases.', ['table_id', 'id'], [
  ['table_id', 'text', 'Database id.'],
  ['id', 'text', 'Status id.'],
  ['name', 'text', 'Status name.'],
]);

export const TABLE_MEMBERS = defineTable('table_members', 'Users of each database with their role.', ['table_id', 'user_id'], [
  ['table_id', 'text', 'Database id.'],
  ['user_id', 'text', 'User id.'],
  ['role_name', 'text', 'Role in the database.'],
]);

export const TABLE_RECORDS = defineTable('table_records', 'Records of every database.', ['id'], [
  ['id', 'text', 'Record id.'],
  ['table_id', 'text', 'Database id.'],
  ['title', 'text', 'Title.'],
  ['url', 'text', 'Record URL.'],
  ['path', 'text', 'Record path.'],
  ['done', 'boolean', 'Whether the record is done.'],
  ['due_date', 'timestamp', 'Due date.'],
  ['finished_at', 'timestamp', 'When the record was finished.'],
  ['created_at', 'timestamp', 'When the record was created.'],
  ['updated_at', 'timestamp', 'When the record last changed.'],
  ['created_by_id', 'text', 'Creator user id ("120" is Pipefy\'s system user for template rows).'],
  ['status_id', 'text', 'Status id.'],
  ['status_name', 'text', 'Status name.'],
  ['deleted_at', 'timestamp', 'When a deletion scan found the record gone from Pipefy; NULL while it exists.'],
]);

export const TABLE_RECORD_FIELDS = defineTable(
  'table_record_fields',
  'Field values of database records, one row per record and filled field.',
  ['record_id', 'field_id'],
  [
    ['record_id', 'text', 'Record id.'],
    ['table_id', 'text', 'Database id.'],
    ['required', 'boolean', 'Whether the field is required.'],
    ...FIELD_VALUE_COLUMNS,
  ],
);

export const TABLE_RECORD_ASSIGNEES = defineTable(
  'table_record_assignees',
  'Users assigned to each record.',
  ['record_id', 'user_id'],
  [
    ['record_id', 'text', 'Record id.'],
    ['user_id', 'text', 'User id.'],
    ['position', 'bigint', 'Position in the API answer.'],
  ],
);

export const TABLE_RECORD_LABELS = defineTable('table_record_labels', 'Labels on each record.', ['record_id', 'label_id'], [
  ['record_id', 'text', 'Record id.'],
  ['label_id', 'text', 'Label id.'],
  ['position', 'bigint', 'Position in the API answer.'],
]);

export const TABLE_RECORD_RELATIONS = defineTable(
  'table_record_relations',
  "Items (cards or records) that each record's parent relations point to, one row per related item.",
  ['record_id', 'relation_position', 'related_item_id'],
  [
    ['record_id', 'text', 'Record id.'],
    ['relation_position', 'bigint', 'Position of the relation in the API answer.'],
    ['relation_id', 'text', 'Relation id.'],
    ['relation_name', 'text', 'Relation name.'],
    ['source_type', 'text', 'Source type of the relation, as Pipefy sends it.'],
    ['related_repo_id', 'text', 'Pipe or database of the related items.'],
    ['related_item_id', 'text', 'Related card or record id; only the first 50 items of a relation are loaded.'],
  ],
);

export const FIELD_COLUMNS = defineTable(
  'field_columns',
  'Map from the columns of the wide typed tables to the Pipefy fields they hold.',
  ['table_name', 'column_name'],
  [
    ['table_name', 'text', 'Wide table, such as pipe_301_cards.'],
    ['column_name', 'text', 'Column in that table.'],
    ['field_id', 'text', 'Field slug.'],
    ['field_label', 'text', 'Field label when last loaded.'],
    ['field_type', 'text', 'Field type when last loaded.'],
  ],
);

/** Every fixed table, for docs, `show` and reconciliation. */
export const FIXED_TABLES: TableSchema[] = [
  ORGANIZATIONS,
  USERS,
  ORGANIZATION_MEMBERS,
  PIPES,
  PIPE_MEMBERS,
  PIPE_RELATIONS,
  PHASES,
  PHASE_FIELDS,
  LABELS,
  CARDS,
  CARD_FIELDS,
  CARD_ASSIGNEES,
  CARD_LABELS,
  CARD_PHASE_HISTORY,
  CARD_COMMENTS,
  CARD_ATTACHMENTS,
  CARD_RELATIONS,
  TABLES,
  TABLE_FIELDS,
  TABLE_STATUSES,
  TABLE_MEMBERS,
  TABLE_RECORDS,
  TABLE_RECORD_FIELDS,
  TABLE_RECORD_ASSIGNEES,
  TABLE_RECORD_LABELS,
  TABLE_RECORD_RELATIONS,
  FIELD_COLUMNS,
];
