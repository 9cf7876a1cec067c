// Every workflow type the worker runs; an unversioned worker's workflowsPath (a versioned one loads versioned.ts).
export { orderWorkflow } from './order';
export type { OrderResult } from './order';
export { syncWorkflow } from './sync';
export * from './messages';
export { acceptanceWorkflow } from './acceptance';
export type { AcceptanceInput, AcceptanceResult } from './acceptance';
export { rollbackWorkflow, rollbackStatusQuery, rollbackWorkflowId } from './rollback';
export type { RollbackInput, RollbackProgress, RollbackResult } from './rollback';
export { adoptBoardWorkflow, adoptProgressQuery } from './adopt';
export type { AdoptInput, AdoptProgress } from './adopt';
export { verifyWorkflow, verifyProgressQuery } from './verify';
export type { VerifyInput, VerifyProgress } from './verify';
