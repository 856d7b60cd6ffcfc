import { AuditLog, type AuditEntry, type AuditEvent } from '../../src/domain/audit/audit-log';
import { MemoryStateStore } from '../../src/infra/storage/memory-state-store';
import { systemClock } from '../../src/infra/clock';
import { ManualClock } from '../fakes/manual-clock';

/**
 * The audit trail as an hourly journal: newest first across hours, paged and filtered, merged with the
 * one-item-per-entry trail that stores written before the journal still hold.
 */
const START = Date.parse('2026-11-23T06:30:00Z');
const HOUR = 3_600_000;

class CountingStore extends MemoryStateStore {
  readonly logsRead: string[] = [];
  override readLog<T>(log: string): Promise<T[]> {
    this.logsRead.push(log);
    return super.readLog<T>(log);
  }
}

function trail(store = new CountingStore()) {
  const clock = new ManualClock(START);
  const audit = new AuditLog(store, clock);
  const write = (
    atMs: number,
    fields: { event?: AuditEvent; actor?: string; target?: string; action?: string; remediationId?: string },
  ) => {
    clock.set(atMs);
    return audit.append({
      event: fields.event ?? 'requested',
      actor: { aadObjectId: undefined, name: fields.actor ?? 'Reggie Requester' },
      conversationId: '19:ops@thread.tacv2',
      remediationId: fields.remediationId,
      action: fields.action ?? 'retry-provisioning',
      target: fields.target ?? 'alice@contoso.com',
    });
  };
  return { store, audit, write };
}

const targets = (entries: readonly AuditEntry[]) => entries.map((e) => e.target);

describe('AuditLog', () => {
  it('writes one log per hour and reads them back newest first, entries of the same millisecond too', async () => {
    const { store, audit, write } = trail();
    await write(START, { target: 'a' });
    await write(START + HOUR, { target: 'b' });
    await write(START + HOUR, { target: 'c' });
    await write(START + 2 * HOUR + 5, { target: 'd' });
    expect(await store.logs('audit/')).toEqual([
      'audit/2026-11-23T06',
      'audit/2026-11-23T07',
      'audit/2026-11-23T08',
    ]);
    expect(await store.list('')).toEqual([]);
    expect(targets((await audit.query({ limit: 10 })).entries)).toEqual(['d', 'c', 'b', 'a']);
  });

  it.each([
    { query: { limit: 2 }, pages: [['e', 'd'], ['c', 'b'], ['a']] },
    { query: { limit: 2, action: 'reprocess-license' }, pages: [['d', 'b']] },
    { query: { limit: 1, user: 'ADA' }, pages: [['e'], ['c']] },
    { query: { limit: 5, user: 'nobody' }, pages: [[]] },
  ])('pages through $query', async ({ query, pages }) => {
    const { audit, write } = trail();
    await write(START, { target: 'a' });
    await write(START + HOUR, { target: 'b', action: 'reprocess-license' });
    await write(START + HOUR + 1, { target: 'c', actor: 'Ada Admin' });
    await write(START + 3 * HOUR, { target: 'd', action: 'reprocess-license' });
    await write(START + 3 * HOUR + 1, { target: 'e', actor: 'Ada Admin' });
    const read: string[][] = [];
    let after: string | undefined;
    do {
      const page = await audit.query({ ...query, ...(after ? { after } : {}) });
      read.push(targets(page.entries));
      after = page.next;
    } while (after);
    expect(read).toEqual(pages);
  });

  it.each([
    { limit: 10, pages: [['r2 outcome', 'r1 outcome', 'no remediation', 'r3 requested']] },
    { limit: 1, pages: [['r2 outcome'], ['r1 outcome'], ['no remediation'], ['r3 requested']] },
    {
      limit: 2,
      pages: [
        ['r2 outcome', 'r1 outcome'],
        ['no remediation', 'r3 requested'],
      ],
    },
  ])('lists one entry per remediation, its newest, across pages of $limit', async ({ limit, pages }) => {
    const { audit, write } = trail();
    await write(START, { target: 'r3 requested', remediationId: 'r3' });
    await write(START + 1, { target: 'r1 requested', remediationId: 'r1' });
    await write(START + 2, { target: 'no remediation' });
    await write(START + 3, { target: 'r2 requested', remediationId: 'r2' });
    await write(START + HOUR, { target: 'r1 approved', remediationId: 'r1', event: 'approved' });
    await write(START + HOUR + 1, { target: 'r1 outcome', remediationId: 'r1', event: 'succeeded' });
    await write(START + HOUR + 2, { target: 'r2 approved', remediationId: 'r2', event: 'approved' });
    await write(START + HOUR + 3, { target: 'r2 outcome', remediationId: 'r2', event: 'failed' });
    const read: string[][] = [];
    let after: string | undefined;
    do {
      const page = await audit.query({ limit, latestPerRemediation: true, ...(after ? { after } : {}) });
      read.push(targets(page.entries));
      after = page.next;
    } while (after);
    expect(read).toEqual(pages);
  });

  it('merges the trail kept one item per entry, from before the journal, in order of time', async () => {
    const scratch = trail();
    const written = [
      await scratch.write(START, { target: 'item 1' }),
      await scratch.write(START + 10, { target: 'log 2' }),
      await scratch.write(START + HOUR, { target: 'item 3' }),
      await scratch.write(START + HOUR + 10, { target: 'log 4' }),
      await scratch.write(START + HOUR + 20, { target: 'item 5' }),
    ];
    const store = new CountingStore();
    for (const entry of written) {
      if (entry.target.startsWith('item')) await store.create(`audit/${entry.id}`, entry);
      else await store.append(`audit/${entry.at.slice(0, 13)}`, entry);
    }
    const { entries } = await new AuditLog(store, systemClock).query({ limit: 10 });
    expect(targets(entries)).toEqual(['item 5', 'log 4', 'item 3', 'log 2', 'item 1']);
    const since = await new AuditLog(store, systemClock).since(new Date(START + HOUR).toISOString());
    expect(targets(since)).toEqual(['item 5', 'log 4', 'item 3']);
  });

  it('gives a remediation its timeline oldest first, reading only the logs since it was made', async () => {
    const { store, audit, write } = trail();
    for (let h = 0; h < 5; h++) await write(START + h * HOUR, { target: `other ${h}`, remediationId: 'r0' });
    const createdAt = new Date(START + 5 * HOUR).toISOString();
    await write(START + 5 * HOUR, { event: 'requested', remediationId: 'r1' });
    await write(START + 5 * HOUR + 1000, { event: 'approved', remediationId: 'r1' });
    await write(START + 6 * HOUR, { event: 'succeeded', remediationId: 'r1' });
    await write(START + 6 * HOUR + 1, { event: 'requested', remediationId: 'r2' });
    store.logsRead.length = 0;
    const timeline = await audit.forRemediation('r1', createdAt);
    expect(timeline.map((e) => e.event)).toEqual(['requested', 'approved', 'succeeded']);
    expect(store.logsRead).toEqual(['audit/2026-11-23T12', 'audit/2026-11-23T11', 'audit/2026-11-23T10']);
    store.logsRead.length = 0;
    expect((await audit.forRemediation('r0')).map((e) => e.target)).toEqual([
      'other 0',
      'other 1',
      'other 2',
      'other 3',
      'other 4',
    ]);
    expect(store.logsRead).toHaveLength(7);
  });

  it('gives the entries since an instant newest first, reading only the logs of the hours since', async () => {
    const { store, audit, write } = trail();
    for (let h = 0; h < 48; h++) await write(START + h * HOUR, { target: `t${h}` });
    await write(START + 47 * HOUR, { target: 't47 again' });
    store.logsRead.length = 0;
    const since = await audit.since(new Date(START + 45 * HOUR).toISOString());
    expect(targets(since)).toEqual(['t47 again', 't47', 't46', 't45']);
    expect([...store.logsRead].sort()).toEqual([
      'audit/2026-11-25T03',
      'audit/2026-11-25T04',
      'audit/2026-11-25T05',
    ]);
    // An instant within an hour: that hour's log is read, its earlier entries left out.
    expect(targets(await audit.since(new Date(START + 47 * HOUR - 1).toISOString()))).toEqual([
      't47 again',
      't47',
    ]);
  });

  it('reads a period’s logs a few at a time, not one after another', async () => {
    class SlowStore extends CountingStore {
      inFlight = 0;
      maxInFlight = 0;
      override async readLog<T>(log: string): Promise<T[]> {
        this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        this.inFlight--;
        return super.readLog<T>(log);
      }
    }
    const store = new SlowStore();
    const { audit, write } = trail(store);
    for (let h = 0; h < 30; h++) await write(START + h * HOUR, { target: `t${h}` });
    expect(await audit.since(new Date(START).toISOString())).toHaveLength(30);
    expect(store.maxInFlight).toBe(8);
  });
});
