// SQL Server migration 115 (issue 18): rollback's step table (db/mssql/rollback-steps.ts) and the audit's index by batch.
import { KEY_TYPE, qualified } from './identifiers';

export function mssqlRollbackMigrations(schema: string): { version: string; statements: string[] }[] {
  const t = (name: string): string => qualified(schema, name);
  return [{
    version: '115_rollback_steps',
    statements: [
      `IF OBJECT_ID(N'${t('MON_RollbackStep')}', N'U') IS NULL CREATE TABLE ${t('MON_RollbackStep')} (
  [run_id] NVARCHAR(100) NOT NULL, [batch_id] NVARCHAR(100) NOT NULL, [audit_id] BIGINT NOT NULL,
  [order_key] ${KEY_TYPE} NOT NULL,
  [outcome] NVARCHAR(10) NOT NULL CONSTRAINT [CK_MON_RollbackStep_outcome] CHECK ([outcome] IN ('PLANNED', 'DONE', 'FAILED', 'MANUAL')),
  [line] NVARCHAR(MAX) NOT NULL, [recorded_at] DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
  CONSTRAINT [PK_MON_RollbackStep] PRIMARY KEY CLUSTERED ([run_id], [audit_id]))`,
      // Retention (RETENTION_DAYS) deletes by age.
      `IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_MON_RollbackStep_recorded' AND object_id = OBJECT_ID(N'${t('MON_RollbackStep')}'))
  CREATE NONCLUSTERED INDEX [IX_MON_RollbackStep_recorded] ON ${t('MON_RollbackStep')} ([recorded_at])`,
      // Rollback pages a batch's audit by id (200 + 8 bytes).
      `IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_MON_WriteAudit_batch' AND object_id = OBJECT_ID(N'${t('MON_WriteAudit')}'))
  CREATE NONCLUSTERED INDEX [IX_MON_WriteAudit_batch] ON ${t('MON_WriteAudit')} ([batch_id], [audit_id])`,
    ],
  }];
}
