// `orders-sync hold on|off|status`: stop every Monday write now (board maintenance, a bad mapping caught mid-sync).
// The hold lives in the database (MON_SyncHold), so every worker sees it at once: in-flight orders' Monday activities
// find it and retry every 30 s (they do not fail) until `hold off`. Pausing the schedule only stops new syncs.
import { openConfiguredStore } from '../worker';
import { dispatchControlOf } from '../db/open';
import { UsageError, type Command } from './command';

export const holdCommands: Record<string, Command> = {
  hold: {
    usage: 'hold on|off|status [--note TEXT]',
    summary: 'Stop all Monday writes now (on), resume them (off), or show the hold (status). In-flight orders wait and retry while held; none fails. For board maintenance use this with `schedule pause`.',
    options: { note: { type: 'string', description: 'with on: why (shown by status and in the held activities\' errors)' } },
    async run(config, a) {
      const what = a.positionals[0];
      if (what !== 'on' && what !== 'off' && what !== 'status') throw new UsageError('hold needs one of: on, off, status');
      const store = await openConfiguredStore(config, { mustExist: true });
      try {
        const control = dispatchControlOf(store);
        if (what === 'on') await control.setHold(typeof a.values.note === 'string' ? a.values.note : 'held from orders-sync');
        if (what === 'off') await control.setHold(null);
        const hold = await control.getHold();
        console.log(hold ? `hold: ON since ${hold.since} ("${hold.note}"): no Monday writes; in-flight orders wait. orders-sync hold off resumes them.` : 'hold: off (Monday writes go ahead)');
        return 0;
      } finally {
        await store.close();
      }
    },
  },
};
