// Issue 17's tables on SQL Server (versions 100-109): when a sync batch has ended (its dispatch, so the end can wait
// for its orders), and `orders-sync verify`'s runs, its board read and the drift it found.
import { KEY_TYPE } from './identifiers';

type Columns = [name: string, definition: string][];

export function convergenceTables(): { name: string; columns: Columns; constraints: string[] }[] {
  return [
    {
      name: 'MON_BatchDispatch',
      columns: [
        ['batch_id', 'NVARCHAR(100) NOT NULL PRIMARY KEY'], ['dispatched', 'INT NOT NULL'], ['end_status', 'NVARCHAR(30) NOT NULL'],
        ['dispatched_at', 'DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME()'],
      ],
      constraints: [],
    },
    {
      name: 'MON_VerifyRun',
      columns: [
        ['run_id', 'NVARCHAR(100) NOT NULL PRIMARY KEY'], ['board_id', 'NVARCHAR(64) NOT NULL'], ['scope', 'NVARCHAR(MAX) NOT NULL'],
        ['status', 'NVARCHAR(20) NOT NULL'], ['summary', 'NVARCHAR(MAX) NULL'],
        ['started_at', 'DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME()'], ['finished_at', 'DATETIME2(3) NULL'],
      ],
      constraints: [],
    },
    {
      name: 'MON_VerifyBoardRead',
      columns: [
        ['run_id', 'NVARCHAR(100) NOT NULL'], ['item_id', 'NVARCHAR(64) NOT NULL'], ['parent_item_id', 'NVARCHAR(64) NULL'],
        // The key column's text (items): the comparison's index, without the cells.
        ['order_key', 'NVARCHAR(MAX) NULL'],
        ['name', 'NVARCHAR(MAX) NOT NULL'], ['group_id', 'NVARCHAR(100) NULL'], ['group_title', 'NVARCHAR(MAX) NULL'], ['cells', 'NVARCHAR(MAX) NOT NULL'],
      ],
      constraints: ['CONSTRAINT [PK_MON_VerifyBoardRead] PRIMARY KEY ([run_id], [item_id])'],
    },
    {
      name: 'MON_VerifyDrift',
      columns: [
        ['run_id', 'NVARCHAR(100) NOT NULL'], ['seq', 'INT NOT NULL'], ['drift_class', 'NVARCHAR(30) NOT NULL'],
        // Not in any key: an order key may be 900 bytes.
        ['order_key', `${KEY_TYPE} NULL`], ['item_id', 'NVARCHAR(64) NULL'], ['subitem_id', 'NVARCHAR(64) NULL'], ['kept_item_id', 'NVARCHAR(64) NULL'],
        ['subject', 'NVARCHAR(MAX) NOT NULL'], ['expected', 'NVARCHAR(MAX) NOT NULL'], ['actual', 'NVARCHAR(MAX) NOT NULL'],
      ],
      constraints: ['CONSTRAINT [PK_MON_VerifyDrift] PRIMARY KEY ([run_id], [seq])'],
    },
  ];
}

/** Migrations 100-101 on SQL Server; `table` creates one of convergenceTables() when missing, `index` an index. */
export function convergenceMigrations(table: (name: string) => string, index: (table: string, name: string, cols: string) => string): { version: string; statements: string[] }[] {
  return [
    { version: '100_batch_dispatch', statements: [table('MON_BatchDispatch')] },
    {
      version: '101_verify',
      statements: [
        table('MON_VerifyRun'), table('MON_VerifyBoardRead'), index('MON_VerifyBoardRead', 'IX_MON_VerifyBoardRead_parent', '[run_id], [parent_item_id]'), table('MON_VerifyDrift'),
      ],
    },
  ];
}
