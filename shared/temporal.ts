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
export const SEARCH_ATTRIBUTES = [OrderCustomer, OrderPO, AagOrderNumber, OrderSyncStatus];
