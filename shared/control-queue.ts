// Issue 18: the task queue of control-plane Monday activities (board adopt's reads and writes, rollback's pages,
// verify's reads). A queue of its own, polled by every worker: such a task starts at once instead of waiting behind
// the order backlog on MONDAY_TASK_QUEUE. Its Monday calls still go through the worker's one MondayBudget.
export const CONTROL_TASK_QUEUE = 'orders-sync-control';
