// The model-based convergence check (test/convergence-model.test.ts, `npm run soak`): fast-check's model-based
// commands drive random sequences of source edits, hand edits on the board, syncs and faults against the real parts
// (SQLite file, the sandbox over HTTP, the real activities and the verify comparison), and every sequence ends with
// a sync and `verify`: no drift but what the hand edits explain, and the orphans of order lines that left the source;
// then `verify --repair` and `verify` again: no drift at all.
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { generateOrderLines } from '../../db/demo-data';
import { createTransform, orderKeyOf } from '../../mapping';
import type { SourceRow } from '../../shared/order';
import type { Drift, DriftClass } from '../../activities/verify-drift';
import type { Store } from '../../db/store';
import type { Sandbox } from '../../sandbox/server';
import type { Mapping } from '../../mapping';
import type { Parts } from './parts';
import { createOrderDriver } from './order-driver';
import { createVerifyDriver } from './verify-driver';
import { gql } from './board';

const SIZES = ['S', 'M', 'L', 'XL', 'OS'] as const;
const NOTES = 'long_text_mkr5hass';
/** Source columns a sequence changes or empties: long text, date, number, and the season (the item's group). */
const EDITABLE = ['NOTES', 'EX FACTORY DATE', 'CUSTOMER PRICE', 'CUSTOMER SEASON'] as const;
const VALUES: Record<(typeof EDITABLE)[number], string[]> = {
  NOTES: ['RUSH', 'ON HOLD', 'line one\nline two'], 'EX FACTORY DATE': ['2026-01-15', '2026-03-31'], 'CUSTOMER PRICE': ['$12.50', '7', '1,250.00'],
  'CUSTOMER SEASON': ['FALL 2026', 'SPRING 2027'],
};

interface Line {
  key: string;
  uuid: string;
  /** As ORDERS_UNIFIED holds it now; null while deleted. */
  row: SourceRow | null;
  last: SourceRow;
  /** The payload hash the last sync that sent it had (null: never sent, or to be sent again). */
  sentHash: string | null;
  /** Its item is on the board (sent, and not archived by hand since). */
  onBoard: boolean;
  /** Drift the hand edits on its item may explain until the next repair. */
  handDrift: Set<DriftClass>;
}
export interface Model { lines: Line[]; next: number; transform: (row: SourceRow) => { hash: string }; /** Order numbers of this sequence: MB<prefix>-0001 */ prefix: string }

export type Fault = 'none' | '5xx' | 'timeout after commit' | 'worker killed';

/** The system under test: its parts, and how it syncs and verifies (in process, or through workflows on a real worker). */
export interface Real {
  store: Store;
  sandbox: Sandbox;
  mapping: Mapping;
  /** One sync to the end; the sandbox's faults are already set. Returns how many order lines failed. */
  sync(fault: Fault): Promise<{ failed: number }>;
  /** `verify`, or `verify --repair` (waiting for the repairs): the drift it found, and the repairs that failed. */
  verify(repair: boolean): Promise<{ drift: Drift[]; failed: number }>;
  ops: number;
}

type Cmd = fc.AsyncCommand<Model, Real>;
const live = (m: Readonly<Model>) => m.lines.filter((l) => l.row !== null);
const pickLine = (lines: Line[], n: number): Line => lines[n % lines.length]!;
const whereOf = (l: Line) => ({ record_uuid: l.uuid });

function newRow(prefix: string, n: number, seed: number, sizes: Partial<Record<(typeof SIZES)[number], number>>): SourceRow {
  const [row] = generateOrderLines(1, seed);
  for (const s of SIZES) row![s] = sizes[s] ?? null;
  for (const c of Object.keys(row!)) if (/^(\d|X|XX|XXX|S\/M|M\/L|L\/XL|XXS|XXXS|XXL|XXXL)$/.test(c)) row![c] = null;
  return { ...row!, 'AAG ORDER NUMBER': `MB${prefix}-${String(n).padStart(4, '0')}`, record_uuid: randomUUID() };
}

/** What the sync does to a line (the sequence's model of it): sent when its payload changed since it was last sent. */
function syncModel(m: Model): void {
  for (const l of live(m)) {
    const hash = m.transform(l.row!).hash;
    if (l.sentHash === hash) continue;
    l.sentHash = hash;
    l.onBoard = true;
  }
}

async function itemOf(r: Real, key: string): Promise<{ id: string; subitems: { id: string; state: string }[] } | null> {
  const { boardId, keyColumnId } = r.mapping.items;
  const found = await gql<{ items_page_by_column_values: { items: { id: string; state: string; subitems: { id: string; state: string }[] | null }[] } }>(r.sandbox.url,
    `query ($k: String!) { items_page_by_column_values(board_id: ${boardId}, columns: [{ column_id: "${keyColumnId}", column_values: [$k] }]) { items { id state subitems { id state } } } }`, { k: key });
  const item = found.items_page_by_column_values.items.find((i) => i.state === 'active');
  return item ? { id: item.id, subitems: (item.subitems ?? []).filter((s) => s.state === 'active') } : null;
}

const cmd = (name: string, check: (m: Readonly<Model>) => boolean, run: (m: Model, r: Real) => Promise<void>): Cmd => ({
  check, toString: () => name,
  run: async (m, r) => { r.ops++; await run(m, r); },
});

/** A sequence: two or three order lines synced (with `firstSync`'s fault), then up to `maxCommands` random commands. */
export function sequenceArbitrary(maxCommands: number, firstSync: Fault = 'none'): fc.Arbitrary<Cmd[]> {
  const [addLine, ...rest] = commandArbitraries();
  const first = fc.constant(cmd(`sync (${firstSync})`, () => true, syncCommand(firstSync, 0)));
  return fc.tuple(fc.array(addLine!, { minLength: 2, maxLength: 3 }), first, fc.commands([addLine!, ...rest], { maxCommands, size: 'max' }))
    .map(([lines, sync, cmds]) => [...lines, sync, ...cmds]);
}

/** A sync with one kind of fault injected (the sandbox's, sandbox/server.ts; a kill: the order driver's). */
function syncCommand(fault: Fault, seed: number) {
  return async (m: Model, r: Real): Promise<void> => {
    r.sandbox.setFaults({ seed, serverErrorRate: fault === '5xx' ? 0.15 : 0, commitThenDropRate: fault === 'timeout after commit' ? 0.2 : 0 });
    try {
      const { failed } = await r.sync(fault);
      if (failed > 0) throw new Error(`${failed} order lines failed in a sync with fault "${fault}"`);
    } finally {
      r.sandbox.setFaults({ serverErrorRate: 0, commitThenDropRate: 0 });
    }
    syncModel(m);
  };
}

/** Every command of a sequence; the first adds an order line. */
function commandArbitraries(): fc.Arbitrary<Cmd>[] {
  const sizes = fc.dictionary(fc.constantFrom(...SIZES), fc.integer({ min: 1, max: 40 }), { minKeys: 1, maxKeys: 4 });
  return [
    fc.record({ seed: fc.nat(1000), sizes }).map(({ seed, sizes: s }) => cmd(`add line ${JSON.stringify(s)}`, (m) => m.lines.length < 6, async (m, r) => {
      const row = newRow(m.prefix, m.next++, seed, s);
      await r.store.insertSourceRows([row]);
      m.lines.push({ key: orderKeyOf(r.mapping, row), uuid: String(row.record_uuid), row, last: row, sentHash: null, onBoard: false, handDrift: new Set() });
    })),
    fc.record({ n: fc.nat(), column: fc.constantFrom(...EDITABLE), v: fc.nat(2), clear: fc.boolean() }).map(({ n, column, v, clear }) =>
      cmd(`${clear && column !== 'CUSTOMER SEASON' ? 'clear' : 'change'} ${column} of line ${n}`, (m) => live(m).length > 0, async (m, r) => {
        const l = pickLine(live(m), n);
        const value = clear && column !== 'CUSTOMER SEASON' ? null : VALUES[column][v % VALUES[column].length]!;
        await r.store.updateSourceRows(whereOf(l), { [column]: value });
        l.row = { ...l.row!, [column]: value };
      })),
    fc.record({ n: fc.nat(), size: fc.constantFrom(...SIZES), qty: fc.integer({ min: 0, max: 40 }) }).map(({ n, size, qty }) =>
      cmd(`size ${size} of line ${n} = ${qty}`, (m) => live(m).length > 0, async (m, r) => {
        const l = pickLine(live(m), n);
        if (qty === 0 && SIZES.filter((s) => s !== size && Number(l.row![s] ?? 0) > 0).length === 0) return;   // keep a size
        const value = qty === 0 ? null : qty;
        await r.store.updateSourceRows(whereOf(l), { [size]: value });
        l.row = { ...l.row!, [size]: value };
      })),
    fc.nat().map((n) => cmd(`key spelling of line ${n}`, (m) => live(m).length > 0, async (m, r) => {
      // Blanks and a tab around a key part: the mapping's key (and payload) stay what they were.
      const l = pickLine(live(m), n);
      const spelt = `  ${String(l.row!['CUSTOMER STYLE']).trim()}\t`;
      await r.store.updateSourceRows(whereOf(l), { 'CUSTOMER STYLE': spelt });
      l.row = { ...l.row!, 'CUSTOMER STYLE': spelt };
    })),
    fc.nat().map((n) => cmd(`delete line ${n}`, (m) => live(m).length > 0, async (m, r) => {
      const l = pickLine(live(m), n);
      await r.store.deleteSourceRows(whereOf(l));
      l.last = l.row!;
      l.row = null;
    })),
    fc.nat().map((n) => cmd(`line ${n} comes back`, (m) => m.lines.some((l) => l.row === null), async (m, r) => {
      const l = pickLine(m.lines.filter((x) => x.row === null), n);
      await r.store.insertSourceRows([l.last]);
      l.row = l.last;
    })),
    fc.record({ n: fc.nat(), edit: fc.constantFrom('cell', 'archive subitem', 'archive item', 'rename group') }).map(({ n, edit }) =>
      cmd(`hand edit: ${edit} of line ${n}`, (m) => m.lines.some((l) => l.onBoard), async (m, r) => {
        const l = pickLine(m.lines.filter((x) => x.onBoard), n);
        const item = await itemOf(r, l.key);
        if (!item) return;
        const { boardId } = r.mapping.items;
        if (edit === 'cell') {
          await gql(r.sandbox.url, `mutation ($id: ID!, $v: JSON!) { change_multiple_column_values(board_id: ${boardId}, item_id: $id, column_values: $v) { id } }`,
            { id: item.id, v: JSON.stringify({ [NOTES]: { text: 'typed by hand' } }) });
          l.handDrift.add('stale_cell').add('should_be_empty');
        } else if (edit === 'archive subitem' && item.subitems[0]) {
          r.sandbox.setItemState(item.subitems[0].id, 'archived');
          l.handDrift.add('missing_size');
        } else if (edit === 'archive item') {
          r.sandbox.setItemState(item.id, 'archived');
          l.onBoard = false;
          l.handDrift.add('missing_item');
        } else if (edit === 'rename group') {
          const groups = await gql<{ boards: { groups: { id: string; title: string }[] }[] }>(r.sandbox.url, `query { boards(ids: [${boardId}]) { groups { id title } } }`);
          const title = groups.boards[0]!.groups[n % groups.boards[0]!.groups.length]!.title;
          r.sandbox.renameGroup(boardId, title, `${title} (renamed)`);   // not drift: a renamed group keeps its items
        }
      })),
    fc.record({ fault: fc.constantFrom<Fault>('none', '5xx', 'timeout after commit', 'worker killed'), seed: fc.nat() })
      .map(({ fault, seed }) => cmd(`sync (${fault})`, () => true, syncCommand(fault, seed))),
  ];
}

/** The end of every sequence: sync, verify (only drift the hand edits and deleted lines explain), repair, verify (none). */
export async function converge(m: Model, r: Real): Promise<void> {
  const { failed } = await r.sync('none');
  if (failed > 0) throw new Error(`the final sync failed ${failed} order lines`);
  syncModel(m);
  const found = await r.verify(false);
  const byKey = new Map(m.lines.map((l) => [l.key, l]));
  const unexplained = found.drift.filter((d) => !explained(d, byKey));
  const orphans = new Set(found.drift.filter((d) => d.class === 'orphan_item').map((d) => d.orderKey));
  const missingOrphans = m.lines.filter((l) => l.row === null && l.onBoard && !orphans.has(l.key)).map((l) => l.key);
  if (unexplained.length > 0 || missingOrphans.length > 0) {
    throw new Error(`after a sync the board differs from the source beyond the hand edits: ${JSON.stringify({ unexplained, missingOrphans }, null, 1)}`);
  }
  const repaired = await r.verify(true);
  if (repaired.failed > 0) throw new Error(`verify --repair failed ${repaired.failed} order lines`);
  const after = await r.verify(false);
  if (after.drift.length > 0) throw new Error(`after verify --repair the board still differs: ${JSON.stringify(after.drift, null, 1)}`);
}

function explained(d: Drift, lines: Map<string, Line>): boolean {
  const line = d.orderKey === null ? undefined : lines.get(d.orderKey);
  if (!line) return false;
  if (d.class === 'orphan_item') return line.row === null;
  return line.handDrift.has(d.class);
}

/** Runs a sequence on `real` and converges it; the source rows it made, to remove. */
export async function runModel(real: Real, prefix: string, cmds: Iterable<Cmd>): Promise<{ record_uuid: string }[]> {
  const model: Model = { lines: [], next: 0, transform: createTransform(real.mapping), prefix };
  await fc.asyncModelRun(() => ({ model, real }), cmds);
  await converge(model, real);
  return model.lines.map(whereOf);
}

/** One sequence in process, on fresh parts (a new database file, an empty board); a kill cancels activities mid-flight. */
export async function runSequence(parts: Parts, cmds: Iterable<Cmd>, stats: { ops: number; kills: number }): Promise<void> {
  await parts.reset();
  const orders = createOrderDriver(parts.acts);
  const verify = createVerifyDriver(parts, orders);
  const real: Real = {
    store: parts.store, sandbox: parts.sandbox, mapping: parts.mapping, ops: 0,
    async sync(fault) {
      orders.setKillChance(fault === 'worker killed' ? 0.25 : 0);
      try {
        return { failed: (await orders.sync()).failed.length };
      } finally {
        orders.setKillChance(0);
      }
    },
    verify: (repair) => verify.run({ repair }),
  };
  await runModel(real, '', cmds);
  stats.ops += real.ops + 1;
  stats.kills += orders.kills();
}
