// One round trip per store call on an order line's path: each statement set runs in a transaction of its own inside
// the request (XACT_ABORT is on: any error rolls all of it back), instead of a driver transaction that costs a begin
// and a commit round trip around every statement. Never RETURN inside these: it would leave the transaction open.
import type { MssqlStatements } from './statements';
import { SIZE_TYPE, qualified } from './identifiers';
import { mssqlBatchEndSql } from './batch-sql';

export const atomic = (text: string): string => `BEGIN TRANSACTION;\n${text}\nCOMMIT;`;

export function mssqlOrderSql(schema: string, s: MssqlStatements) {
  const STG = qualified(schema, 'STG_MON_CustMasterSchedule');
  const SUB = qualified(schema, 'STG_MON_CustMasterSchedule_Subitems');
  const { SQL } = s;
  return {
    /** The order and its sizes: two result sets of one request. */
    stagedOrder: `SELECT [stg_id], [stg_status], [stg_api_payload], [stg_monday_item_id], [stg_retry_count], [stg_synced_hash], [stg_batch_id] FROM ${STG} WHERE [order_key] = @key;
      SELECT s.[Size], s.[ORDER_QTY], s.[stg_monday_subitem_id], s.[stg_synced_qty] FROM ${SUB} s INNER JOIN ${STG} p ON p.[stg_id] = s.[stg_parent_stg_id]
      WHERE p.[order_key] = @key ORDER BY s.[stg_size_seq], s.[stg_id]`,
    setOrderStatus: atomic(`${SQL.setOrderStatus};
      DECLARE @found INT = @@ROWCOUNT;
      IF @found > 0 AND @copyItemId = 1 ${SQL.copyParentItemId};
      SELECT @found AS found;`),
    markSynced: atomic(`${SQL.markSynced};
      DECLARE @found INT = @@ROWCOUNT;
      IF @found > 0 BEGIN ${SQL.resolveItemErrors}; ${SQL.resolveSubitemErrors}; END
      SELECT @found AS found;`),
    /** What Monday now holds for `rows` sizes (@s{i}, @i{i}, @q{i}): known sizes updated, new ones added after the others. */
    setSubitemIds: (rows: number): string => `DECLARE @parent BIGINT, @item NVARCHAR(64);
      SELECT @parent = [stg_id], @item = [stg_monday_item_id] FROM ${STG} WHERE [order_key] = @key;
      DECLARE @r TABLE ([ord] INT NOT NULL, [size] ${SIZE_TYPE} NOT NULL, [subitem] NVARCHAR(64) COLLATE DATABASE_DEFAULT NOT NULL, [qty] INT NOT NULL);
      INSERT INTO @r ([ord], [size], [subitem], [qty]) VALUES ${Array.from({ length: rows }, (_, i) => `(${i}, @s${i}, @i${i}, @q${i})`).join(', ')};
      IF @parent IS NOT NULL
      BEGIN
        BEGIN TRANSACTION;
        UPDATE x SET x.[stg_monday_subitem_id] = r.[subitem], x.[stg_monday_parent_item_id] = @item, x.[stg_synced_qty] = r.[qty],
          x.[stg_status] = CASE WHEN x.[ORDER_QTY] = r.[qty] THEN 'SYNCED' ELSE 'PENDING' END, x.[stg_updated_date] = SYSUTCDATETIME()
          FROM ${SUB} x INNER JOIN @r r ON r.[size] = x.[Size] WHERE x.[stg_parent_stg_id] = @parent;
        INSERT INTO ${SUB} ([stg_parent_stg_id], [Size], [stg_size_seq], [ORDER_QTY], [stg_status], [stg_monday_subitem_id], [stg_monday_parent_item_id], [stg_synced_qty])
          SELECT @parent, r.[size], (SELECT ISNULL(MAX([stg_size_seq]), -1) FROM ${SUB} WHERE [stg_parent_stg_id] = @parent) + ROW_NUMBER() OVER (ORDER BY r.[ord]),
            r.[qty], 'SYNCED', r.[subitem], @item, r.[qty]
          FROM @r r WHERE NOT EXISTS (SELECT 1 FROM ${SUB} x WHERE x.[stg_parent_stg_id] = @parent AND x.[Size] = r.[size]);
        COMMIT;
      END
      SELECT CASE WHEN @parent IS NULL THEN 0 ELSE 1 END AS found`,
    /** The same open error seen again updates its row; else a new row. */
    recordError: (scope: 'item' | 'subitem'): string => atomic(`${s.recordErrorRepeatSql(scope)};
      IF @@ROWCOUNT = 0 ${s.recordErrorInsertSql(scope)};`),
    /** The outcome, the counters it feeds and, when it is the batch's last, the batch's end (db/batch-end.ts). */
    recordOutcome: atomic(`${SQL.recordOutcome};\n${mssqlBatchEndSql(schema).endWhenDone}`),
    rememberGroup: atomic(s.adoption.rememberGroup),
  };
}
