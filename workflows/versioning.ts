// Worker Versioning (docs/RUNBOOK.md §13 "Changing workflow code safely"): control-plane workflows finish on the build they
// started on, so a deploy never replays them on new code; order workflows move to a new build at their next workflow
// task (patched() keeps their histories replaying). Only versioned workers load this (workflows/versioned.ts): the
// server refuses a versioning behaviour from an unversioned worker.
import { setWorkflowOptions } from '@temporalio/workflow';
import { orderWorkflow } from './order';
import { syncWorkflow } from './sync';
import { adoptBoardWorkflow } from './adopt';
import { rollbackWorkflow } from './rollback';
import { verifyWorkflow } from './verify';
import { acceptanceWorkflow } from './acceptance';

setWorkflowOptions({ versioningBehavior: 'PINNED' }, syncWorkflow);
setWorkflowOptions({ versioningBehavior: 'PINNED' }, adoptBoardWorkflow);
setWorkflowOptions({ versioningBehavior: 'PINNED' }, rollbackWorkflow);
setWorkflowOptions({ versioningBehavior: 'PINNED' }, verifyWorkflow);
setWorkflowOptions({ versioningBehavior: 'PINNED' }, acceptanceWorkflow);
setWorkflowOptions({ versioningBehavior: 'AUTO_UPGRADE' }, orderWorkflow);
