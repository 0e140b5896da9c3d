import assert from 'node:assert/strict';
import { runScript } from '../../src/core/redis/commandRunner';
import type { RedisReply } from '../../src/core/redis/reply';
import { openRespClient, type RespClient } from '../../src/core/redis/respClient';
import { RedisSession } from '../../src/core/redis/session';
import { localProfile } from './helpers/redis';

const DB = 9;
const b = (...words: string[]): Buffer[] => words.map((w) => Buffer.from(w));

/** What the server says the connection's db is (CLIENT INFO), to check the tracked one against. */
async function serverDb(client: RespClient): Promise<number> {
  const reply = await client.send(b('CLIENT', 'INFO'));
  assert.equal(reply.type, 'bulk');
  const m = / db=(\d+) /.exec(reply.type === 'bulk' ? reply.value.toString('utf8') : '');
  assert.ok(m, 'CLIENT INFO shows db=');
  return Number(m[1]);
}

function statusOf(reply: RedisReply): string {
  return reply.type === 'status' ? reply.value : reply.type === 'error' ? `error ${reply.message}` : reply.type;
}

describe('RespClient tracks the selected db only from commands that ran', () => {
  let client: RespClient;
  const session = new RedisSession(localProfile(0));
  after(() => session.close());
  beforeEach(async () => {
    client = await openRespClient(localProfile(DB), { connectionName: 'test-resp-db' });
  });
  afterEach(() => client.close());

  it('starts on the profile db and follows a SELECT outside MULTI', async () => {
    assert.equal(client.db, DB);
    assert.equal(statusOf(await client.send(b('SELECT', '3'))), 'OK');
    assert.equal(client.db, 3);
    assert.equal(await serverDb(client), 3);
  });

  it('a refused SELECT leaves the db alone', async () => {
    assert.match(statusOf(await client.send(b('SELECT', '99999'))), /^error /);
    assert.equal(client.db, DB);
  });

  it('MULTI / SELECT / DISCARD keeps the db: the queued SELECT never ran', async () => {
    assert.equal(statusOf(await client.send(b('MULTI'))), 'OK');
    assert.equal(statusOf(await client.send(b('SELECT', '5'))), 'QUEUED');
    assert.equal(client.db, DB, 'QUEUED is not a SELECT that ran');
    assert.equal(statusOf(await client.send(b('DISCARD'))), 'OK');
    assert.equal(client.db, DB);
    assert.equal(await serverDb(client), DB);
  });

  it('MULTI / SELECT / EXEC moves to the db once EXEC ran it', async () => {
    assert.equal(statusOf(await client.send(b('MULTI'))), 'OK');
    assert.equal(statusOf(await client.send(b('SELECT', '5'))), 'QUEUED');
    assert.equal(statusOf(await client.send(b('PING'))), 'QUEUED');
    assert.equal(client.db, DB);
    const exec = await client.send(b('EXEC'));
    assert.equal(exec.type, 'array');
    assert.equal(client.db, 5);
    assert.equal(await serverDb(client), 5);
  });

  it('a transaction aborted by a queuing error (EXECABORT) keeps the db', async () => {
    const replies = await client.sendMany([b('MULTI'), b('SELECT', '5'), b('NOSUCHCOMMAND'), b('EXEC')]);
    assert.deepEqual(replies.map(statusOf).slice(0, 2), ['OK', 'QUEUED']);
    assert.match(statusOf(replies[3]), /EXECABORT/);
    assert.equal(client.db, DB);
    assert.equal(await serverDb(client), DB);
  });

  it('only a SELECT whose slot in the EXEC reply is OK counts', async () => {
    // SELECT 99999 queues (arity is fine) but fails when EXEC runs it; SELECT 6 before it ran.
    const replies = await client.sendMany([b('MULTI'), b('SELECT', '6'), b('SELECT', '99999'), b('EXEC')]);
    const exec = replies[3];
    assert.ok(exec.type === 'array');
    assert.deepEqual(
      exec.items.map(statusOf).map((s) => s.replace(/^error .*/, 'error')),
      ['OK', 'error'],
    );
    assert.equal(client.db, 6);
    assert.equal(await serverDb(client), 6);
  });

  it('a transaction through runScript (MULTI, lines, EXEC) ends on the db the server is on', async () => {
    const run = await runScript(
      { session, client },
      [
        { line: 1, argv: b('SELECT', '7') },
        { line: 2, argv: b('PING') },
      ],
      { transaction: true },
    );
    assert.equal(run.complete, true);
    assert.equal(client.db, 7);
    assert.equal(await serverDb(client), 7);
  });

  it('RESET goes back to db 0, inside MULTI too', async () => {
    await client.send(b('SELECT', '3'));
    assert.equal(statusOf(await client.send(b('MULTI'))), 'OK');
    assert.equal(statusOf(await client.send(b('RESET'))), 'RESET');
    assert.equal(client.db, 0);
    assert.equal(statusOf(await client.send(b('SELECT', '4'))), 'OK', 'RESET ended the transaction');
    assert.equal(client.db, 4);
  });
});
