/**
 * Every GraphQL document the connector sends to Pipefy. Each one validates
 * against Pipefy's public schema (checked by a test), selects only fields that
 * the 2021 public schema has, and requests whole pages with nested lists, so
 * a page of 50 cards costs one request.
 */

/** Pipefy's documented maximum page size; larger values are not honoured. */
export const PAGE_SIZE = 50;

const USER_FIELDS = `
  id
  name
  username
  email
  displayName
  avatarUrl
  created_at
  locale
  timeZone
  departmentKey
`;

const FIELD_DEFINITION_FIELDS = `
  id
  internal_id
  uuid
  label
  type
  description
  help
  options
  required
  editable
  is_multiple
  index_name
  minimal_view
  custom_validation
  canConnectExisting
  canConnectMultiples
  connected_repo {
    ... on Pipe { id }
    ... on Table { id }
  }
`;

const RELATION_FIELDS = `
  id
  name
  canConnectExistingItems
  canConnectMultipleItems
  canCreateNewItems
  childMustExistToFinishParent
  allChildrenMustBeDoneToFinishParent
  parent {
    ... on Pipe { id }
    ... on Table { id }
  }
  child {
    ... on Pipe { id }
    ... on Table { id }
  }
`;

/** A custom field value with every typed companion the 2021 schema offers. */
const FIELD_VALUE_FIELDS = `
  name
  value
  array_value
  date_value
  datetime_value
  float_value
  report_value
  filled_at
  updated_at
  indexName
  field {
    id
    internal_id
    uuid
    label
    type
  }
`;

const CARD_RELATION_FIELDS = `
  id
  name
  source_type
  pipe {
    id
  }
  cards {
    id
  }
`;

/** Organizations the token can see, with their members and pipe ids. */
export const ORGANIZATIONS_QUERY = `
  query PipefyOrganizations {
    organizations {
      id
      name
      created_at
      role
      users_count
      custom_logo_url
      only_admin_can_create_pipes
      only_admin_can_invite_users
      members {
        role_name
        user {${USER_FIELDS}}
      }
      pipes {
        id
      }
    }
  }
`;

/** Pipes by id with phases, field definitions, labels, members and relations. */
export const PIPES_QUERY = `
  query PipefyPipes($ids: [ID]!) {
    pipes(ids: $ids) {
      id
      uuid
      suid
      name
      description
      icon
      color
      created_at
      public
      role
      anyone_can_create_card
      cards_count
      opened_cards_count
      last_updated_by_card
      users_count
      expiration_time_by_unit
      expiration_unit
      organization {
        id
      }
      phases {
        id
        name
        description
        done
        created_at
        color
        sequentialId
        cards_count
        fields {${FIELD_DEFINITION_FIELDS}}
      }
      start_form_fields {${FIELD_DEFINITION_FIELDS}}
      labels {
        id
        name
        color
      }
      members {
        role_name
        user {
          id
        }
      }
      childrenRelations {${RELATION_FIELDS}}
    }
  }
`;

/** Cheap change check for a pipe: counts and the time a card last changed. */
export const PIPE_CHANGE_QUERY = `
  query PipefyPipeChange($id: ID!) {
    pipe(id: $id) {
      id
      cards_count
      last_updated_by_card
    }
  }
`;

/**
 * One page of a pipe's cards, done cards included, optionally filtered by
 * `updated_at` (`AdvancedSearch`), with everything nested that the warehouse
 * keeps per card.
 */
export const CARDS_PAGE_QUERY = `
  query PipefyCardsPage($pipeId: ID!, $first: Int!, $after: String, $filter: AdvancedSearch) {
    allCards(pipeId: $pipeId, first: $first, after: $after, filter: $filter) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          uuid
          suid
          title
          url
          path
          done
          expired
          late
          due_date
          finished_at
          createdAt
          updated_at
          started_current_phase_at
          current_phase_age
          age
          creatorEmail
          emailMessagingAddress
          comments_count
          attachments_count
          checklist_items_count
          checklist_items_checked_count
          createdBy {
            id
          }
          pipe {
            id
          }
          current_phase {
            id
          }
          assignees {
            id
          }
          labels {
            id
          }
          fields {${FIELD_VALUE_FIELDS}}
          phases_history {
            phase {
              id
            }
            firstTimeIn
            lastTimeIn
            lastTimeOut
            duration
            created_at
            became_late
            draft
          }
          comments {
            id
            text
            created_at
            author_name
            author {
              id
            }
          }
          attachments {
            url
            path
            createdAt
            createdBy {
              id
            }
            field {
              id
            }
            phase {
              id
            }
          }
          child_relations {${CARD_RELATION_FIELDS}}
          parent_relations {${CARD_RELATION_FIELDS}}
        }
      }
    }
  }
`;

/** One page of an organization's databases (tables) with their field definitions. */
export const TABLES_PAGE_QUERY = `
  query PipefyTablesPage($organizationId: ID!, $first: Int!, $after: String) {
    organization(id: $organizationId) {
      id
      tables(first: $first, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            id
            uuid
            name
            description
            icon
            color
            url
            public
            authorization
            table_records_count
            users_count
            organization {
              id
            }
            table_fields {
              id
              internal_id
              uuid
              label
              type
              description
              help
              options
              required
              unique
              is_multiple
              index_name
              minimal_view
              custom_validation
              canConnectExisting
              canConnectMultiples
              connected_repo {
                ... on Pipe { id }
                ... on Table { id }
              }
            }
            labels {
              id
              name
              color
            }
            statuses {
              id
              name
            }
            members {
              role_name
              user {
                id
              }
            }
          }
        }
      }
    }
  }
`;

/** Tables by id, used to check ids named in a workflow input. */
export const TABLES_BY_ID_QUERY = `
  query PipefyTablesById($ids: [ID]!) {
    tables(ids: $ids) {
      id
      name
      organization {
        id
      }
    }
  }
`;

/**
 * One page of a database's records with their fields and the items each
 * record's parent relations point to (cards or records). For a page of 50
 * records the emulator's complexity count (`emulator/complexity.ts`) is
 * 12,601, a quarter of Pipefy's limit of 50,000.
 *
 * NOTE: only the first 50 related items of each relation are read, because
 * `repo_items` is a paged connection inside each record and one request per
 * relation would multiply the request count. A relation with more items is
 * stored cut to 50.
 */
export const TABLE_RECORDS_PAGE_QUERY = `
  query PipefyTableRecordsPage($tableId: ID!, $first: Int!, $after: String) {
    table_records(table_id: $tableId, first: $first, after: $after, search: { include_done: true }) {
      matchCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          title
          url
          path
          done
          due_date
          finished_at
          created_at
          updated_at
          created_by {
            id
          }
          table {
            id
          }
          status {
            id
            name
          }
          assignees {
            id
          }
          labels {
            id
          }
          record_fields {${FIELD_VALUE_FIELDS}
            required
          }
          parent_relations {
            id
            name
            source_type
            repo {
              ... on Pipe { id }
              ... on Table { id }
            }
            repo_items(first: ${PAGE_SIZE}) {
              edges {
                node {
                  ... on Card { id }
                  ... on TableRecord { id }
                }
              }
            }
          }
        }
      }
    }
  }
`;

/** Every document above, by operation name, for the schema test and the emulator. */
export const ALL_QUERIES: Record<string, string> = {
  PipefyOrganizations: ORGANIZATIONS_QUERY,
  PipefyPipes: PIPES_QUERY,
  PipefyPipeChange: PIPE_CHANGE_QUERY,
  PipefyCardsPage: CARDS_PAGE_QUERY,
  PipefyTablesPage: TABLES_PAGE_QUERY,
  PipefyTablesById: TABLES_BY_ID_QUERY,
  PipefyTableRecordsPage: TABLE_RECORDS_PAGE_QUERY,
};

/** One page of a pipe's card ids, done cards included, for deletion scans. */
export const CARD_IDS_PAGE_QUERY = `
  query PipefyCardIdsPage($pipeId: ID!, $first: Int!, $after: String) {
    allCards(pipeId: $pipeId, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
        }
      }
    }
  }
`;

/** One page of a database's record ids, done records included, for deletion scans. */
export const TABLE_RECORD_IDS_PAGE_QUERY = `
  query PipefyTableRecordIdsPage($tableId: ID!, $first: Int!, $after: String) {
    table_records(table_id: $tableId, first: $first, after: $after, search: { include_done: true }) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
        }
      }
    }
  }
`;

ALL_QUERIES.PipefyCardIdsPage = CARD_IDS_PAGE_QUERY;
ALL_QUERIES.PipefyTableRecordIdsPage = TABLE_RECORD_IDS_PAGE_QUERY;
