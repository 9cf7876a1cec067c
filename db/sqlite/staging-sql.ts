// Staging an order line on SQLite: the order's row and its sizes upserted by key, sizes the source no longer has
// dropped (never on Monday) or zeroed (on Monday: the next pass writes 0 there).
export const UPSERT_ORDER_SQL = `INSERT INTO STG_MON_CustMasterSchedule
  (order_key, stg_batch_id, "Title", "Group", "CUSTOMER", "AAG ORDER NUMBER", "PO NUMBER", stg_status, stg_payload_hash, stg_api_payload, stg_created_date, stg_updated_date)
  VALUES (@key, @batchId, @title, @group, @customer, @aag, @po, 'PENDING', @hash, @payload, @now, @now)
  ON CONFLICT (order_key) DO UPDATE SET
    stg_batch_id = excluded.stg_batch_id, "Title" = excluded."Title", "Group" = excluded."Group", "CUSTOMER" = excluded."CUSTOMER",
    "AAG ORDER NUMBER" = excluded."AAG ORDER NUMBER", "PO NUMBER" = excluded."PO NUMBER",
    stg_status = CASE WHEN stg_payload_hash <> excluded.stg_payload_hash OR stg_status = 'FAILED' THEN 'PENDING' ELSE stg_status END,
    stg_error_message = CASE WHEN stg_payload_hash <> excluded.stg_payload_hash OR stg_status = 'FAILED' THEN NULL ELSE stg_error_message END,
    stg_payload_hash = excluded.stg_payload_hash, stg_api_payload = excluded.stg_api_payload, stg_updated_date = excluded.stg_updated_date
  RETURNING stg_id`;
export const UPSERT_SIZE_SQL = `INSERT INTO STG_MON_CustMasterSchedule_Subitems
  (stg_parent_stg_id, stg_batch_id, "Size", stg_size_label, "ORDER_QTY", stg_status, stg_api_payload, stg_created_date, stg_updated_date)
  VALUES (@parent, @batchId, @size, @label, @qty, 'PENDING', @payload, @now, @now)
  ON CONFLICT (stg_parent_stg_id, "Size") DO UPDATE SET
    stg_batch_id = excluded.stg_batch_id, stg_size_label = excluded.stg_size_label, "ORDER_QTY" = excluded."ORDER_QTY",
    stg_status = CASE WHEN stg_synced_qty IS excluded."ORDER_QTY" THEN 'SYNCED' ELSE 'PENDING' END,
    stg_api_payload = excluded.stg_api_payload, stg_updated_date = excluded.stg_updated_date`;
// Sizes that left the order: never on Monday → gone; on Monday → qty 0 so the workflow can zero/archive them.
export const DROP_REMOVED_SIZES_SQL = `DELETE FROM STG_MON_CustMasterSchedule_Subitems
  WHERE stg_parent_stg_id = ? AND stg_monday_subitem_id IS NULL AND "Size" NOT IN (SELECT value FROM json_each(?))`;
export const ZERO_REMOVED_SIZES_SQL = `UPDATE STG_MON_CustMasterSchedule_Subitems
  SET "ORDER_QTY" = 0, stg_status = CASE WHEN stg_synced_qty = 0 THEN 'SYNCED' ELSE 'PENDING' END, stg_updated_date = ?
  WHERE stg_parent_stg_id = ? AND stg_monday_subitem_id IS NOT NULL AND "Size" NOT IN (SELECT value FROM json_each(?))`;
