// Row converters of the board-adoption tables, shared by both adapters.
import type { AdoptionRun, ArchiveRecord, BoardReadRow } from './store';
import { isoOf, str, type Row } from './common';

export function toAdoptionRun(r: Row): AdoptionRun {
  return {
    runId: String(r.run_id), boardId: String(r.board_id), status: r.status as AdoptionRun['status'],
    report: r.report === null || r.report === undefined ? null : JSON.parse(String(r.report)),
    startedAt: isoOf(r.started_at) ?? '', finishedAt: isoOf(r.finished_at),
  };
}

export function toBoardReadRow(r: Row): BoardReadRow {
  return {
    itemId: String(r.item_id), parentItemId: str(r.parent_item_id), name: String(r.name), createdAt: str(r.created_at),
    groupId: str(r.group_id), groupTitle: str(r.group_title), values: JSON.parse(String(r.column_values)) as Record<string, string | null>,
  };
}

export function toArchiveRecord(r: Row): ArchiveRecord {
  return {
    runId: String(r.run_id), boardId: String(r.board_id), itemId: String(r.item_id), parentItemId: str(r.parent_item_id),
    orderKey: str(r.order_key), reason: String(r.reason), archivedAt: isoOf(r.archived_at) ?? '',
  };
}
