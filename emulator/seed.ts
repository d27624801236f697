/**
 * Deterministic generator of a realistic Pipefy organization: members,
 * pipes with phases and field definitions, labels, a parent/child pipe
 * relation, databases (tables) and record relations between databases. Cards and table records are not stored
 * here: `card-generator.ts` and `record-generator.ts` build each one from
 * (seed, pipe or table index, item index), so a 500,000-card organization
 * costs no memory until it is read.
 */
import { chance, mixSeed, mulberry32, pick, randomInt, randomSlug, randomUuid, type Random } from './prng';
import type {
  FieldDefinitionData,
  LabelData,
  MemberData,
  OrganizationData,
  PhaseData,
  PipeData,
  PipeRelationData,
  SeedOptions,
  SeedOrganization,
  TableData,
  TableRelationData,
  UserData,
} from './seed-types';
import { formatIsoOffset, formatIsoZ, SEED_BASE_MS } from './time-format';

export type * from './seed-types';

const DAY_MS = 86_400_000;

/** Seeded cards are spread over this span after their pipe's creation. */
const CARD_SPAN_MS = 300 * DAY_MS;

const FIRST_NAMES = ['Ana', 'Bruno', 'Carla', 'Diego', 'Elisa', 'Fábio', 'Gabriela', 'Heitor', 'Isabela', 'João', 'Larissa', 'Marcos', 'Natália', 'Otávio', 'Paula', 'Rafael'];
const LAST_NAMES = ['Silva', 'Souza', 'Oliveira', 'Santos', 'Lima', 'Costa', 'Pereira', 'Almeida', 'Ribeiro', 'Carvalho'];
const PIPE_NAMES = ['Atendimento ao Cliente', 'Compras', 'Recrutamento', 'Gestão de Requisições', 'Onboarding', 'Financeiro'];
const PHASE_NAMES = ['Caixa de entrada', 'Triagem', 'Em andamento', 'Aguardando cliente', 'Revisão', 'Aprovação'];
const LABEL_NAMES = ['Urgente', 'Cliente VIP', 'Bloqueado', 'Retrabalho', 'Melhoria', 'etiqueta 1'];
const COLORS = ['#f51b34', '#30E354', '#0F0', '#B05056', '#ff9e00', '#1E88E5', '#7b1fa2', '#fc0'];
const TABLE_NAMES = ['Clientes', 'Fornecedores', 'Produtos', 'Funcionários'];

/** Field type, label and options of the start form; every pipe gets all of them. */
const START_FORM_TEMPLATE: ReadonlyArray<[string, string, string[]]> = [
  ['short_text', 'Nome do solicitante', []],
  ['email', 'E-mail de contato', []],
  ['phone', 'Telefone', []],
  ['cpf', 'CPF', []],
  ['long_text', 'Descrição do pedido', []],
  ['select', 'Prioridade', ['Baixa', 'Média', 'Alta']],
  ['radio_vertical', 'Canal de origem', ['Telefone', 'E-mail', 'Site', 'Sim']],
  ['checklist_vertical', 'Documentos recebidos', ['um', '2', 'Contrato', 'RG']],
  ['date', 'Data do pedido', []],
  ['datetime', 'Data e hora da visita', []],
  ['due_date', 'Prazo de entrega', []],
  ['time', 'Horário preferido', []],
  ['number', 'Quantidade', []],
  ['currency', 'Valor total', []],
  ['label_select', 'Etiquetas', []],
  ['assignee_select', 'Responsáveis', []],
  ['attachment', 'Anexos', []],
  ['connector', 'Cliente', []],
  ['statement', 'Statement', []],
  ['id', 'Código', []],
];

const PHASE_FIELD_TEMPLATE: ReadonlyArray<[string, string, string[]]> = [
  ['long_text', 'Observações', []],
  ['number', 'Horas gastas', []],
  ['currency', 'Custo aprovado', []],
  ['select', 'Resultado', ['Aprovado', 'Reprovado', 'Bom 🙂']],
  ['date', 'Data de conclusão', []],
  ['attachment', 'Comprovante', []],
  ['assignee_select', 'Revisor', []],
  ['checklist_vertical', 'Verificações', ['Dados conferidos', 'Pagamento', '✅']],
  ['short_text', 'Número do protocolo', []],
  ['time', 'Hora da ligação', []],
];

const TABLE_FIELD_TEMPLATE: ReadonlyArray<[string, string, string[]]> = [
  ['short_text', 'Nome', []],
  ['email', 'E-mail', []],
  ['phone', 'Telefone', []],
  ['cpf', 'CPF', []],
  ['select', 'Segmento', ['Varejo', 'Indústria', 'Serviços']],
  ['number', 'Funcionários', []],
  ['currency', 'Limite de crédito', []],
  ['date', 'Cliente desde', []],
  ['label_select', 'Etiquetas', []],
  ['assignee_select', 'Gerente da conta', []],
  ['checklist_vertical', 'Cadastro completo', ['Endereço', 'Contrato', 'Dados bancários']],
  ['long_text', 'Notas', []],
];

/** Allocates increasing, unique, 9-digit ids with realistic gaps. */
class IdAllocator {
  private next: number;
  constructor(private readonly random: Random, start: number) {
    this.next = start;
  }
  take(): string {
    this.next += randomInt(this.random, 1, 997);
    return String(this.next);
  }
}

/** Turns a label into a Pipefy field id: lowercase ASCII, each run of other characters as one `_`. */
export function slugifyLabel(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'field';
}

function pickColor(random: Random): string {
  return pick(random, COLORS);
}

function generateUsers(random: Random, ids: IdAllocator, count: number): UserData[] {
  return Array.from({ length: count }, (_, index) => {
    const first = FIRST_NAMES[index % FIRST_NAMES.length];
    const last = LAST_NAMES[(index * 7 + Math.floor(index / FIRST_NAMES.length)) % LAST_NAMES.length];
    const username = `${slugifyLabel(first)}${slugifyLabel(last)}${index > 15 ? index : ''}`;
    return {
      id: ids.take(),
      name: `${first} ${last}`,
      username,
      email: `${username}@example.com`,
      displayName: `${first} ${last}`,
      avatarUrl: `https://gravatar.com/avatar/${randomUuid(random).replace(/-/g, '')}.png?s=144&d=https://pipestyle.s3.amazonaws.com/avatars/avatar_${slugifyLabel(first)}.png`,
      created_at: formatIsoOffset(SEED_BASE_MS - randomInt(random, 30, 900) * DAY_MS, -180),
      locale: chance(random, 0.8) ? 'pt-BR' : 'en',
      timeZone: 'America/Sao_Paulo',
      departmentKey: chance(random, 0.5) ? pick(random, ['sales', 'support', 'finance']) : null,
    };
  });
}

/** Returns the role of the member at `index`: one super admin, two admins, then normal members. */
function roleOf(index: number): string {
  if (index === 0) return 'super_admin';
  if (index <= 2) return 'admin';
  return 'normal';
}

function generateMembers(users: UserData[]): MemberData[] {
  return users.map((user, index) => ({ role_name: roleOf(index), user }));
}

interface FieldFactory {
  random: Random;
  ids: IdAllocator;
  /** Next number used in `index_name` (`field_<n>_string`). */
  nextIndex: number;
  usedSlugs: Set<string>;
}

function makeField(
  factory: FieldFactory,
  [type, baseLabel, options]: readonly [string, string, readonly string[]],
  phase: PhaseData | null,
  connectedRepo: PipeData | TableData | null,
): FieldDefinitionData {
  const uuid = randomUuid(factory.random);
  const label = type === 'statement' ? `Statement-${uuid}` : baseLabel;
  let id = type === 'statement' ? `statement_${uuid.replace(/-/g, '_')}` : slugifyLabel(label);
  for (let suffix = 1; factory.usedSlugs.has(id); suffix += 1) id = `${slugifyLabel(label)}_${suffix}`;
  factory.usedSlugs.add(id);

  const isConnector = type === 'connector';
  const isMultiple = ['checklist_vertical', 'label_select', 'assignee_select', 'attachment', 'connector'].includes(type);
  factory.nextIndex += 1;
  return {
    id,
    internal_id: factory.ids.take(),
    uuid,
    label,
    type,
    description: chance(factory.random, 0.2) ? `Informe ${baseLabel.toLowerCase()}` : '',
    help: '',
    options: [...options],
    required: type === 'statement' ? null : chance(factory.random, 0.3),
    editable: type !== 'statement' && type !== 'id',
    is_multiple: isMultiple,
    unique: false,
    index_name: `field_${factory.nextIndex}_${isConnector ? 'connector' : 'string'}`,
    minimal_view: chance(factory.random, 0.2),
    custom_validation: '',
    canConnectExisting: isConnector ? true : null,
    canConnectMultiples: isConnector ? false : null,
    connected_repo: connectedRepo ? { __typename: connectedRepo.__typename, id: connectedRepo.id } : null,
    phase,
  };
}

function generateLabels(random: Random, ids: IdAllocator, count: number): LabelData[] {
  return Array.from({ length: count }, (_, index) => ({
    id: ids.take(),
    name: LABEL_NAMES[index % LABEL_NAMES.length],
    color: pickColor(random),
  }));
}

function generateTable(
  random: Random,
  ids: IdAllocator,
  organization: OrganizationData,
  tableIndex: number,
  options: Required<SeedOptions>,
  connectorTarget: TableData | null,
): TableData {
  const createdMs = SEED_BASE_MS + (tableIndex + 1) * DAY_MS;
  const factory: FieldFactory = { random, ids, nextIndex: 0, usedSlugs: new Set() };
  const table: TableData = {
    __typename: 'Table',
    id: randomSlug(random, 8),
    internal_id: ids.take(),
    uuid: randomUuid(random),
    name: TABLE_NAMES[tableIndex % TABLE_NAMES.length] + (tableIndex >= TABLE_NAMES.length ? ` ${tableIndex + 1}` : ''),
    description: chance(random, 0.5) ? 'Base de dados compartilhada' : '',
    icon: pick(random, ['user', 'briefcase', 'box', 'star']),
    color: pick(random, ['blue', 'green', 'orange', 'purple']),
    url: '',
    public: false,
    authorization: 'write',
    users_count: 0,
    organization,
    table_fields: [],
    labels: generateLabels(random, ids, 3),
    statuses: [
      { id: ids.take(), name: 'Ativo' },
      { id: ids.take(), name: 'Inativo' },
    ],
    members: generateMembers(organization.users).filter((_, index) => index % 2 === 0),
    tableIndex,
    recordCount: options.recordsPerTable,
    firstRecordMicros: createdMs * 1000,
    recordStepMicros: Math.max(1, Math.floor((CARD_SPAN_MS * 1000) / Math.max(1, options.recordsPerTable))),
  };
  table.url = `https://app.pipefy.com/database_v2/tables/${table.id}`;
  table.users_count = table.members.length;
  table.table_fields = TABLE_FIELD_TEMPLATE.map((template) => makeField(factory, template, null, null));
  if (connectorTarget) {
    table.table_fields.push(makeField(factory, ['connector', 'Cliente relacionado', []], null, connectorTarget));
  }
  return table;
}

function generatePipe(
  random: Random,
  ids: IdAllocator,
  organization: OrganizationData,
  members: MemberData[],
  pipeIndex: number,
  options: Required<SeedOptions>,
  connectorTarget: TableData | null,
): PipeData {
  const createdMs = SEED_BASE_MS + pipeIndex * 3_600_000;
  const factory: FieldFactory = { random, ids, nextIndex: 0, usedSlugs: new Set() };
  const pipe: PipeData = {
    __typename: 'Pipe',
    id: ids.take(),
    uuid: randomUuid(random),
    suid: randomSlug(random, 8),
    name: PIPE_NAMES[pipeIndex % PIPE_NAMES.length] + (pipeIndex >= PIPE_NAMES.length ? ` ${pipeIndex + 1}` : ''),
    description: chance(random, 0.5) ? 'Processo padrão da equipe' : '',
    icon: pick(random, ['pipefy', 'rocket', 'cart', 'people']),
    color: pick(random, ['blue', 'red', 'green', 'yellow']),
    created_at: formatIsoZ(createdMs),
    public: false,
    role: 'admin',
    anyone_can_create_card: true,
    users_count: 0,
    expiration_time_by_unit: chance(random, 0.5) ? randomInt(random, 1, 30) : null,
    expiration_unit: null,
    emailAddress: '',
    organization,
    phases: [],
    start_form_fields: [],
    labels: [],
    members: members.filter((_, index) => index === 0 || (index + pipeIndex) % 3 !== 0),
    childrenRelations: [],
    parentsRelations: [],
    pipeIndex,
    cardCount: options.cardsPerPipe,
    firstCardMicros: (createdMs + DAY_MS) * 1000,
    cardStepMicros: Math.max(1, Math.floor((CARD_SPAN_MS * 1000) / Math.max(1, options.cardsPerPipe))),
  };
  pipe.expiration_unit = pipe.expiration_time_by_unit === null ? null : 86400;
  pipe.emailAddress = `pipe${pipe.id}@mail.pipefy.com`;
  pipe.users_count = pipe.members.length;
  pipe.labels = generateLabels(random, ids, randomInt(random, 3, 5));
  pipe.start_form_fields = START_FORM_TEMPLATE.map((template) =>
    makeField(factory, template, null, template[0] === 'connector' ? connectorTarget : null),
  ).filter((field) => field.type !== 'connector' || field.connected_repo !== null);

  const phaseCount = randomInt(random, 4, 6);
  pipe.phases = Array.from({ length: phaseCount }, (_, phaseIndex) => {
    const done = phaseIndex === phaseCount - 1;
    const phase: PhaseData = {
      id: ids.take(),
      name: done ? 'Concluído' : PHASE_NAMES[phaseIndex],
      description: chance(random, 0.5) ? '' : null,
      done,
      created_at: formatIsoZ(createdMs + phaseIndex * 60_000),
      color: pick(random, ['#EAEAEA', '#D4F5E6', '#FFEDCC']),
      sequentialId: String(phaseIndex + 1),
      index: phaseIndex === 2 ? 1.75 : phaseIndex,
      fields: [],
      pipe,
      phaseIndex,
    };
    if (!done) {
      const count = randomInt(random, 1, 3);
      for (let index = 0; index < count; index += 1) {
        phase.fields.push(makeField(factory, pick(random, PHASE_FIELD_TEMPLATE), phase, null));
      }
    }
    return phase;
  });
  return pipe;
}

function withDefaults(options: SeedOptions): Required<SeedOptions> {
  return {
    seed: options.seed ?? 1,
    pipes: options.pipes ?? 3,
    cardsPerPipe: options.cardsPerPipe ?? 400,
    tables: options.tables ?? 2,
    recordsPerTable: options.recordsPerTable ?? 120,
    members: options.members ?? 12,
  };
}

/**
 * Generates the seeded organization. Deterministic: the same options give
 * the same ids, names and values. Fast for any card count, because cards
 * and records are built on demand (see `card-generator.ts`).
 */
export function generateOrganization(seedOptions: SeedOptions = {}): SeedOrganization {
  const options = withDefaults(seedOptions);
  if (options.members < 1) throw new RangeError(`members must be at least 1, got ${options.members}`);
  const random = mulberry32(mixSeed(options.seed, 0x5eed));
  const ids = new IdAllocator(random, 301_000_000 + randomInt(random, 0, 99_999));

  const users = generateUsers(random, ids, options.members);
  const members = generateMembers(users);
  const organization: OrganizationData = {
    id: ids.take(),
    uuid: randomUuid(random),
    name: 'Empresa Exemplo',
    created_at: formatIsoZ(SEED_BASE_MS - 45 * DAY_MS),
    role: 'super_admin',
    users_count: users.length,
    custom_logo_url: null,
    only_admin_can_create_pipes: false,
    only_admin_can_invite_users: true,
    members,
    users,
  };

  const tables: TableData[] = [];
  for (let tableIndex = 0; tableIndex < options.tables; tableIndex += 1) {
    tables.push(generateTable(random, ids, organization, tableIndex, options, tableIndex > 0 ? tables[0] : null));
  }

  const pipes = Array.from({ length: options.pipes }, (_, pipeIndex) =>
    generatePipe(random, ids, organization, members, pipeIndex, options, tables[0] ?? null),
  );

  const pipeRelations: PipeRelationData[] = [];
  if (pipes.length >= 2) {
    const relation: PipeRelationData = {
      id: ids.take(),
      name: `${pipes[1].name} relacionados`,
      canConnectExistingItems: true,
      canConnectMultipleItems: true,
      canCreateNewItems: true,
      childMustExistToFinishParent: false,
      allChildrenMustBeDoneToFinishParent: false,
      parent: pipes[0],
      child: pipes[1],
    };
    pipes[0].childrenRelations.push(relation);
    pipes[1].parentsRelations.push(relation);
    pipeRelations.push(relation);
  }

  // Every database after the first gets its record relations from the first one.
  const tableRelations: TableRelationData[] = tables.slice(1).map((child) => ({
    id: ids.take(),
    name: `${tables[0].name} relacionados`,
    parent: tables[0],
    child,
  }));

  return {
    options,
    organization,
    users,
    pipes,
    tables,
    pipeRelations,
    tableRelations,
    expiresOn: Math.floor(SEED_BASE_MS / 1000) + 366 * 86_400,
  };
}
