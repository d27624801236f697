import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { FIXED_TABLES } from '../activities/warehouse/tables';

/**
 * Renders `docs/tables.md` from the table definitions in
 * `activities/warehouse/tables.ts`, so the documentation cannot drift from
 * the code. Run `npx tsx scripts/table-docs.ts` after changing a table; a
 * test fails while the file is out of date.
 */
export function renderTableDocs(): string {
  const lines: string[] = [
    '# Warehouse tables',
    '',
    'Generated from `activities/warehouse/tables.ts` by `npx tsx scripts/table-docs.ts`; do not edit by hand.',
    '',
    'Every table lives in the destination\'s dataset (default `pipefy_data`). Every row also has',
    '`_load_id` (the batch that last wrote it: `<workflow id>/<resource>/<scope>/<page>`) and',
    '`_loaded_at` (when, UTC). Loads merge on the primary key, so a row appears once however often',
    'its page is loaded. Child tables are replaced per parent: when a card is loaded again, its',
    'fields, assignees, labels, history, comments, attachments and relations are replaced as a whole.',
    '',
    '## Wide typed tables',
    '',
    '- `pipe_<pipe id>_cards`: one row per card (`card_id`) and one column per custom field, named',
    '  after the field\'s stable id (its slug), typed from the field type: `number` and `currency` as',
    '  decimals, `date` as dates, `datetime` and `due_date` as UTC timestamps, checklists, label,',
    '  assignee, attachment and connector fields as JSON lists (connectors hold record or card ids),',
    '  everything else as text. Empty values are NULL.',
    '- `table_<database id>_records`: the same for the records of a database (`record_id`).',
    '- A new field adds a column on its first load. A field whose type changes keeps its column',
    '  when the new type widens it (integer to decimal, date to timestamp, anything to text);',
    '  otherwise its values go to a variant column `<column>__<type>`.',
    '- `field_columns` maps each column back to its field id, label and type.',
    '',
    '## Bookkeeping tables',
    '',
    '- `_pipefy_loads`: one row per loaded batch (`load_id`, `sync_id`, `resource`, `scope`, `page`,',
    '  `row_count`, `loaded_at`).',
    '- `_pipefy_state`: one cursor per connection, resource and scope, written in the same',
    '  transaction as the batch that moved it.',
    '',
  ];

  for (const table of FIXED_TABLES) {
    lines.push(`## ${table.name}`, '', table.description ?? '', '', `Primary key: ${table.primaryKey.map((key) => `\`${key}\``).join(', ')}.`, '');
    lines.push('| column | type | meaning |', '| --- | --- | --- |');
    for (const column of table.columns) {
      lines.push(`| \`${column.name}\` | ${column.type} | ${(column.description ?? '').replace(/\|/g, '\\|')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

export const TABLE_DOCS_PATH = path.join(__dirname, '..', 'docs', 'tables.md');

if (require.main === module) {
  writeFileSync(TABLE_DOCS_PATH, renderTableDocs());
  console.log(`Wrote ${TABLE_DOCS_PATH}`);
}
