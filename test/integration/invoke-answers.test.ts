import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CONTOSO } from '../fakes';
import { cardActions } from './card-helpers';
import { command, errorLogs, teamsClient, type InvokeBody } from './flows';
import { PEOPLE, startHarness, type Harness } from './harness';

jest.setTimeout(30_000);

/**
 * Every adaptiveCard/action invoke is answered HTTP 200 with a body Teams documents (Adaptive Cards universal
 * action model, "Response format"), whatever happened in the handler.
 */
let h: Harness;
const afterEachRemove: string[] = [];
afterEach(async () => {
  await h.close();
  for (const dir of afterEachRemove.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

it('answers a handler that throws with a 500 error naming the correlation id, not an empty 501', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'chatops-invoke-'));
  h = await startHarness({ DATA_DIR: dataDir });
  afterEachRemove.push(dataDir);
  const sent = await command(h, 'retry-provisioning alice@contoso.com');
  // A record the store cannot parse: reading it throws inside the approval handler.
  const rid = 'BBBBBBBBBBBBBBBBBBBBBB';
  writeFileSync(path.join(dataDir, `${encodeURIComponent(`remediation/${rid}`)}.json`), '{"eTag":');
  const res = await h.teams.invoke({
    from: PEOPLE.ada,
    conversationId: sent.conversationId,
    replyToId: sent.cardId,
    verb: 'approve',
    data: { rid },
    token: h.ssoToken(PEOPLE.ada),
  });
  expect(res.status).toBe(200);
  const body = res.body as InvokeBody;
  expect(body).toMatchObject({
    statusCode: 500,
    type: 'application/vnd.microsoft.error',
    value: { code: 'InternalError' },
  });
  const correlationId = new RegExp(`correlation id (${UUID})\\)$`).exec(String(body.value.message))?.[1];
  expect(correlationId).toBeDefined();
  expect(errorLogs(h)).toEqual([expect.objectContaining({ msg: 'card action failed', correlationId })]);
  expect(h.graph.writes()).toHaveLength(0);
});

describe('refusals and unknown requests', () => {
  beforeEach(async () => {
    h = await startHarness();
  });

  it('answers a click from a tenant that is not allowed with a message, and runs nothing', async () => {
    const sent = await command(h, 'retry-provisioning alice@contoso.com');
    const foreign = teamsClient(h, { tenantId: CONTOSO.foreignTenantId });
    const res = await foreign.invoke({
      from: PEOPLE.ada,
      conversationId: sent.conversationId,
      replyToId: sent.cardId,
      verb: 'approve',
      data: cardActions(sent.card)[0]?.data ?? {},
      token: h.ssoToken(PEOPLE.ada, { tenantId: CONTOSO.foreignTenantId }),
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: expect.stringMatching(
        new RegExp(`^This bot is not available to your organisation\\. \\(correlation id ${UUID}\\)$`),
      ),
    });
    expect(h.graph.writes()).toHaveLength(0);
  });

  it('answers a click on a request the bot does not know with a message, not a 404', async () => {
    const sent = await command(h, 'retry-provisioning alice@contoso.com');
    const res = await h.teams.invoke({
      from: PEOPLE.ada,
      conversationId: sent.conversationId,
      replyToId: sent.cardId,
      verb: 'approve',
      data: { rid: 'AAAAAAAAAAAAAAAAAAAAAA' },
      token: h.ssoToken(PEOPLE.ada),
    });
    expect(res.body).toEqual({
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: expect.stringMatching(/^This card refers to a request the bot does not know/),
    });
  });
});
