/**
 * Plain objects shaped like Pipefy API output. The GraphQL layer resolves
 * most fields by property name, so each property here is named exactly as
 * the field in the public schema.
 */
import type { CardCore, CardData } from './card-generator';

/** Options of {@link generateOrganization}. */
export interface SeedOptions {
  /** Seed of the generator; the same seed always gives the same organization. Default 1. */
  seed?: number;
  /** Number of pipes. Default 3. */
  pipes?: number;
  /** Cards generated per pipe. Default 400. */
  cardsPerPipe?: number;
  /** Number of databases (tables). Default 2. */
  tables?: number;
  /** Records generated per table. Default 120. */
  recordsPerTable?: number;
  /** Organization members, each one user. Default 12. */
  members?: number;
}

export interface UserData {
  id: string;
  name: string;
  username: string;
  email: string;
  displayName: string;
  avatarUrl: string;
  created_at: string;
  locale: string;
  timeZone: string;
  departmentKey: string | null;
}

export interface MemberData {
  role_name: string;
  user: UserData;
}

export interface LabelData {
  id: string;
  name: string;
  color: string;
}

/** A pipe or table reference, with `__typename` so unions such as `RepoTypes` resolve. */
export interface RepoReference {
  __typename: 'Pipe' | 'Table';
  id: string;
}

/** A field definition: `PhaseField` for pipes, `TableField` for tables. */
export interface FieldDefinitionData {
  id: string;
  internal_id: string;
  uuid: string;
  label: string;
  type: string;
  description: string;
  help: string;
  options: string[];
  required: boolean | null;
  editable: boolean;
  is_multiple: boolean;
  unique: boolean;
  index_name: string;
  minimal_view: boolean;
  custom_validation: string;
  canConnectExisting: boolean | null;
  canConnectMultiples: boolean | null;
  connected_repo: RepoReference | null;
  phase: PhaseData | null;
}

export interface PhaseData {
  id: string;
  name: string;
  description: string | null;
  done: boolean;
  created_at: string;
  color: string;
  sequentialId: string;
  index: number;
  fields: FieldDefinitionData[];
  pipe: PipeData;
  /** Position of the phase in its pipe. */
  phaseIndex: number;
}

export interface PipeRelationData {
  id: string;
  name: string;
  canConnectExistingItems: boolean;
  canConnectMultipleItems: boolean;
  canCreateNewItems: boolean;
  childMustExistToFinishParent: boolean;
  allChildrenMustBeDoneToFinishParent: boolean;
  parent: PipeData;
  child: PipeData;
}

/**
 * A connection from the records of one database (`parent`) to the records
 * of another (`child`). A child record lists it in `parent_relations`.
 */
export interface TableRelationData {
  id: string;
  name: string;
  parent: TableData;
  child: TableData;
}

export interface OrganizationData {
  id: string;
  uuid: string;
  name: string;
  created_at: string;
  role: string;
  users_count: number;
  custom_logo_url: string | null;
  only_admin_can_create_pipes: boolean;
  only_admin_can_invite_users: boolean;
  members: MemberData[];
  users: UserData[];
}

export interface PipeData {
  __typename: 'Pipe';
  id: string;
  uuid: string;
  suid: string;
  name: string;
  description: string;
  icon: string;
  color: string;
  created_at: string;
  public: boolean;
  role: string;
  anyone_can_create_card: boolean;
  users_count: number;
  expiration_time_by_unit: number | null;
  expiration_unit: number | null;
  emailAddress: string;
  organization: OrganizationData;
  phases: PhaseData[];
  start_form_fields: FieldDefinitionData[];
  labels: LabelData[];
  members: MemberData[];
  childrenRelations: PipeRelationData[];
  parentsRelations: PipeRelationData[];
  /** Position of the pipe in the organization. */
  pipeIndex: number;
  /** Number of seeded cards; cards created through the admin API come on top. */
  cardCount: number;
  /** Creation time of the first seeded card, in epoch microseconds. */
  firstCardMicros: number;
  /** Microseconds between consecutive seeded cards. */
  cardStepMicros: number;
}

export interface TableStatusData {
  id: string;
  name: string;
}

export interface TableData {
  __typename: 'Table';
  id: string;
  internal_id: string;
  uuid: string;
  name: string;
  description: string;
  icon: string;
  color: string;
  url: string;
  public: boolean;
  authorization: 'read' | 'write';
  users_count: number;
  organization: OrganizationData;
  table_fields: FieldDefinitionData[];
  labels: LabelData[];
  statuses: TableStatusData[];
  members: MemberData[];
  tableIndex: number;
  recordCount: number;
  firstRecordMicros: number;
  recordStepMicros: number;
}

/** The seeded organization. Cards and records are generated on demand from their index. */
export interface SeedOrganization {
  options: Required<SeedOptions>;
  organization: OrganizationData;
  users: UserData[];
  pipes: PipeData[];
  tables: TableData[];
  pipeRelations: PipeRelationData[];
  tableRelations: TableRelationData[];
  /** Unix seconds in every signed attachment URL. */
  expiresOn: number;
  /**
   * Cards served as stored instead of generated, such as the recorded
   * Pipefy cards of `recordedOrganization()`. Their pipes have
   * `cardCount: 0`, so only these cards and cards created through the admin
   * API exist there.
   */
  storedCards?: StoredCard[];
}

/** A card kept whole: its core for ordering and paging, and the API-shaped card. */
export interface StoredCard {
  core: CardCore;
  card: CardData;
}
