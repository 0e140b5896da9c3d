import assert from 'node:assert/strict';
import { api, exec, plainRedis, plainText as plain, uniqueName, waitFor } from './util';

const DB = 4;

interface Pty {
  transcript: string;
  handleInput(data: string): void;
}

export function registerRedisConsoleTests(): void {
  describe('Redis console (db 4)', () => {
    const name = uniqueName('console');
    const seed = plainRedis(DB);
    let pty: Pty;
    let id = '';

    /** Types a line and waits until the output after it ends with the prompt again. */
    async function run(line: string, prompt = `${name}[${DB}]> `): Promise<string> {
      const start = pty.transcript.length;
      pty.handleInput(`${line}\r`);
      return waitFor(
        `the reply to ${line}`,
        () => {
          const out = pty.transcript.slice(start);
          const at = out.lastIndexOf(prompt);
          return at > 0 && out.endsWith(prompt) ? out.slice(0, at) : undefined;
        },
        10_000,
      );
    }

    before(async () => {
      await seed.flushdb();
      await exec('brokerExplorer.profiles.add', { kind: 'redis', profile: { name, host: '127.0.0.1', port: 6379, db: DB } });
      ({ id } = await exec<{ id: string }>('brokerExplorer.redis.openConsole', { profile: name, db: DB }));
      const a = await api();
      const opened = a.redisConsoles.get(id);
      assert.ok(opened, 'the console is listed by its id');
      pty = opened.pty;
      await waitFor('the first prompt', () => (pty.transcript.includes(`${name}[${DB}]> `) ? true : undefined));
    });
    after(async () => {
      const a = await api();
      a.redisConsoles.get(id)?.pty.close();
      await exec('brokerExplorer.profiles.remove', { kind: 'redis', name });
      await seed.flushdb();
      seed.disconnect();
    });

    it('runs commands with redis-cli quoting and formats replies like redis-cli', async () => {
      assert.match(plain(await run('SET greeting "hello\\tworld"')), /^OK\n$/m);
      assert.match(plain(await run('GET greeting')), /"hello\\tworld"/);
      assert.match(plain(await run('INCR n')), /\(integer\) 1/);
      assert.match(plain(await run('GET missing')), /\(nil\)/);
      await seed.rpush('l', 'a', 'b');
      assert.match(plain(await run('LRANGE l 0 -1')), /1\) "a"\n2\) "b"/);
      assert.match(plain(await run('LPUSH greeting x')), /\(error\) WRONGTYPE/);
      assert.match(plain(await run('GET "open')), /Invalid argument\(s\)/);
      assert.equal(await seed.get('greeting'), 'hello\tworld');
    });

    it('changes the prompt on SELECT and shows HELP from COMMAND DOCS', async () => {
      assert.match(plain(await run('SELECT 5', `${name}[5]> `)), /OK/);
      assert.match(plain(await run('SELECT 4')), /OK/);
      const help = plain(await run('HELP SET'));
      assert.match(help, /SET key value/);
      assert.match(help, /summary: /);
    });

    it('recalls history with the arrow keys', async () => {
      await run('SET h 1');
      await run('INCR h');
      const start = pty.transcript.length;
      pty.handleInput('\x1b[A');
      await waitFor('the recalled line', () => (pty.transcript.slice(start).includes('INCR h') ? true : undefined));
      assert.match(plain(await run('')), /\(integer\) 3/);
    });

    it('keeps the prompt on the db the connection is on through MULTI / SELECT / DISCARD and EXEC', async () => {
      assert.match(plain(await run('MULTI')), /OK/);
      assert.match(plain(await run('SELECT 5')), /QUEUED/);
      assert.match(plain(await run('DISCARD')), /OK/);
      assert.match(plain(await run('SET where four')), /OK/);
      assert.equal(await seed.get('where'), 'four', 'the console is still on db 4, as its prompt says');
      assert.match(plain(await run('MULTI')), /OK/);
      assert.match(plain(await run('SELECT 5')), /QUEUED/);
      assert.match(plain(await run('EXEC', `${name}[5]> `)), /1\) OK/);
      assert.match(plain(await run('SELECT 4')), /OK/);
    });

    it('after Ctrl+C on a blocking command, the new connection and the prompt are on the console db', async () => {
      await run('SELECT 5', `${name}[5]> `);
      const start = pty.transcript.length;
      pty.handleInput(`BLPOP ${name}-nothing 0\r`);
      await new Promise((r) => setTimeout(r, 300));
      pty.handleInput('\x03');
      await waitFor('the prompt after Ctrl+C', () => (pty.transcript.endsWith(`${name}[${DB}]> `) ? true : undefined));
      assert.match(plain(pty.transcript.slice(start)), /database 4/);
      assert.match(plain(await run('SET where again')), /OK/);
      assert.equal(await seed.get('where'), 'again');
    });

    it('SSUBSCRIBE is a real shard subscription: SPUBLISH from another client arrives as smessage', async () => {
      const start = pty.transcript.length;
      pty.handleInput('SSUBSCRIBE shardnews\r');
      await waitFor('the ssubscribe confirmation', () =>
        plain(pty.transcript.slice(start)).includes('1) "ssubscribe"\n2) "shardnews"\n3) (integer) 1') ? true : undefined,
      );
      const pub = plainRedis(DB);
      try {
        assert.equal(await pub.call('SPUBLISH', 'shardnews', 'sharded flash'), 1);
      } finally {
        pub.disconnect();
      }
      await waitFor('the smessage', () =>
        plain(pty.transcript.slice(start)).includes('1) "smessage"\n2) "shardnews"\n3) "sharded flash"') ? true : undefined,
      );
      pty.handleInput('\x03');
      await waitFor('the prompt after Ctrl+C', () => (pty.transcript.endsWith(`${name}[${DB}]> `) ? true : undefined));
      assert.match(plain(await run('PING')), /PONG/);
    });

    it('streams SUBSCRIBE messages until Ctrl+C', async () => {
      const start = pty.transcript.length;
      pty.handleInput('SUBSCRIBE news\r');
      await waitFor('subscribe mode', () => (pty.transcript.slice(start).includes('Reading messages') ? true : undefined));
      const pub = plainRedis(DB);
      try {
        assert.equal(await pub.publish('news', 'flash'), 1);
      } finally {
        pub.disconnect();
      }
      await waitFor('the message', () =>
        plain(pty.transcript.slice(start)).includes('1) "message"\n2) "news"\n3) "flash"') ? true : undefined,
      );
      pty.handleInput('\x03');
      await waitFor('the prompt after Ctrl+C', () => (pty.transcript.endsWith(`${name}[${DB}]> `) ? true : undefined));
      assert.match(plain(await run('PING')), /PONG/);
    });
  });
}
