// Worker Versioning (docs/RUNBOOK.md §13 "Changing workflow code safely"): control-plane workflows finish on the build they
// started on, so a deploy never replays them on new code; order workflows (workflows/order.ts) are AUTO_UPGRADE.
import { setWorkflowOptions } from '@temporalio/workflow';
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
