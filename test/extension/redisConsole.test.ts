import assert from 'node:assert/strict';
import { api, exec, plainRedis, plainText, uniqueName, waitFor } from './util';

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

    const plain = plainText;

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
