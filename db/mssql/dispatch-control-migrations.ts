// Migrations 110 and 111 on SQL Server (db/dispatch-control.ts): apart from the statements so migrations import no store.
import { qualified } from './identifiers';
import { ADMISSION_TABLE as TABLE, HOLD_TABLE as HOLD, SENT_TABLE as SENT } from '../dispatch-control';

export function mssqlDispatchControlMigrations(schema: string) {
  const t = qualified(schema, TABLE);
  const h = qualified(schema, HOLD);
  const b = qualified(schema, SENT);
  return [{
    version: '110_order_admission_hold',
    statements: [
      // order_key NVARCHAR(450): 900 bytes, within the clustered key limit, as staging's.
      `IF OBJECT_ID(N'${t}', N'U') IS NULL CREATE TABLE ${t} (
  [order_key] NVARCHAR(450) NOT NULL CONSTRAINT [PK_${TABLE}] PRIMARY KEY CLUSTERED,
  [state] NVARCHAR(10) NOT NULL CONSTRAINT [CK_${TABLE}_state] CHECK ([state] IN (N'WAITING', N'IN_FLIGHT', N'DONE')),
  [sent_hash] NVARCHAR(64) NULL, [batch_id] NVARCHAR(64) NULL,
  [waiting_since] DATETIME2(3) NULL, [updated_at] DATETIME2(3) NOT NULL)`,
      `IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_${TABLE}_state' AND object_id = OBJECT_ID(N'${t}')) CREATE INDEX [IX_${TABLE}_state] ON ${t} ([state], [waiting_since])`,
      `IF OBJECT_ID(N'${h}', N'U') IS NULL CREATE TABLE ${h} ([hold_id] INT NOT NULL CONSTRAINT [PK_${HOLD}] PRIMARY KEY CHECK ([hold_id] = 1), [note] NVARCHAR(400) NOT NULL, [since] DATETIME2(3) NOT NULL)`,
    ],
  }, {
    version: '111_batch_sent_orders',
    statements: [
      // batch_id (128 bytes) + order_key (900 bytes): within the clustered key's 1,700 bytes.
      `IF OBJECT_ID(N'${b}', N'U') IS NULL CREATE TABLE ${b} ([batch_id] NVARCHAR(64) NOT NULL, [order_key] NVARCHAR(450) NOT NULL,
  [sent_at] DATETIME2(3) NOT NULL, CONSTRAINT [PK_${SENT}] PRIMARY KEY CLUSTERED ([batch_id], [order_key]))`,
      `IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_${SENT}_sent_at' AND object_id = OBJECT_ID(N'${b}')) CREATE INDEX [IX_${SENT}_sent_at] ON ${b} ([sent_at])`,
    ],
  }];
}

