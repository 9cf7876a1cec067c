// Names shared by the workflows, the worker and the CLI. Dependency-free apart from @temporalio/common,
// which is allowed in workflow bundles.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Workflows and database activities. */
export const TASK_QUEUE = 'orders-sync';
/** Monday activities: a queue of their own so the server can rate-limit them (maxTaskQueueActivitiesPerSecond). */
export const MONDAY_TASK_QUEUE = 'orders-sync-monday';
export const SCHEDULE_ID = 'orders-sync-schedule';

/** Search attributes ops filter by in the Web UI, e.g. OrderSyncStatus="FAILED" AND OrderCustomer="GREYSON". */
export const OrderCustomer = defineSearchAttributeKey('OrderCustomer', SearchAttributeType.KEYWORD);
export const OrderPO = defineSearchAttributeKey('OrderPO', SearchAttributeType.KEYWORD);
export const AagOrderNumber = defineSearchAttributeKey('AagOrderNumber', SearchAttributeType.KEYWORD);
export const OrderSyncStatus = defineSearchAttributeKey('OrderSyncStatus', SearchAttributeType.KEYWORD);
/** The sync batch that last dispatched the order, e.g. OrderBatchId="sync-…" lists one batch's orders. */
export const OrderBatchId = defineSearchAttributeKey('OrderBatchId', SearchAttributeType.KEYWORD);
/** Why a FAILED order waits: REJECTED, DATA, CONFIG, TRANSIENT_EXHAUSTED (retrying by itself), TRANSIENT_GAVE_UP, CANCELLED. */
export const OrderFailureCategory = defineSearchAttributeKey('OrderFailureCategory', SearchAttributeType.KEYWORD);
/** The order line's readable key (its workflow id is a hash when the key is long), e.g. OrderKey="BEN-000001|MSP25B1|WHITE". */
export const OrderKey = defineSearchAttributeKey('OrderKey', SearchAttributeType.KEYWORD);
export const SEARCH_ATTRIBUTES = [OrderCustomer, OrderPO, AagOrderNumber, OrderSyncStatus, OrderBatchId, OrderFailureCategory, OrderKey];
