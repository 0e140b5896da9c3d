/**
 * What every server-insight command works on: a profile's server, or one
 * node of a cluster profile (`node: "host:port"`), from the arguments, a
 * "Server" tree node, or prompts, with a connection to it that the command
 * releases when done.
 */
import type { Redis } from 'ioredis';
import * as vscode from 'vscode';
import { InputError } from '../../../core/errors';
import { checkDb, endpoint } from '../../../core/profiles';
import { connectRedis } from '../../../core/redis/connection';
import { oneServer } from '../../../core/redis/redisClient';
import { serverScopeOf, type ServerScope } from '../../tree/serverNodes';
import { str } from '../args';
import type { CommandCall } from '../registry';
import { resolveTarget, type RedisTarget, type RedisUiDeps } from './redisTarget';

export interface ServerTarget extends RedisTarget {
  /** The cluster node asked for, `host:port`. */
  node: string | undefined;
  /** `Redis profile "local"` or `node 10.0.0.2:7001 of Redis profile "shop"`, for sentences. */
  where: string;
  /** A connection to the server (the session's shared one, or one opened for the node). */
  client: Redis;
  /** Lets go of the connection (closes it when it was opened for the node). */
  release(): void;
}

/** `host:port` (IPv6 in brackets) as host and port, or the sentence why not. */
export function parseNode(text: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(text.trim());
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535)
    throw new InputError(
      vscode.l10n.t('The node "{0}" is not an address: give it as host:port, as brokerExplorer.redis.nodes lists it.', text),
    );
  return { host: m[1], port: Number(m[2]) };
}

/** The profile of a "Server" tree node, and the database when the command works on one (asked). */
async function scopeTarget(deps: RedisUiDeps, call: CommandCall, scope: ServerScope, title: string, askDb: boolean): Promise<RedisTarget> {
  const { profile } = scope;
  const db =
    askDb && profile.mode !== 'cluster'
      ? Number(
          await call.prompts.ask(vscode.l10n.t('{0}: database of "{1}"', title, profile.name), {
            value: String(profile.db),
            validate: (v) => checkDb(v),
          }),
        )
      : profile.db;
  return { profile, db, session: await deps.pool.session(profile.name, db) };
}

/** The target of a server command; `askDb` for the commands that work on one database (analysis, notifications). */
export async function resolveServer(deps: RedisUiDeps, call: CommandCall, title: string, askDb = false): Promise<ServerTarget> {
  const scope = call.args ? undefined : serverScopeOf(call.node);
  const target = scope ? await scopeTarget(deps, call, scope, title, askDb) : await resolveTarget(deps, call, title, askDb);
  const { profile } = target;
  let node = call.args ? str(call.args, 'node') : scope?.address;
  if (node === undefined && profile.mode === 'cluster' && !call.args) {
    const seeds = (profile.nodes ?? [profile]).map((n) => endpoint(n));
    node = await call.prompts.pick(seeds, { title: vscode.l10n.t('{0}: node of "{1}"', title, profile.name) });
  }
  if (node === undefined) {
    if (profile.mode === 'cluster')
      throw new InputError(
        vscode.l10n.t(
          'Redis profile "{0}" is a cluster: name the node with "node": "host:port" (brokerExplorer.redis.nodes lists them).',
          profile.name,
        ),
      );
    const client = oneServer(await target.session.client());
    return { ...target, node, where: vscode.l10n.t('Redis profile "{0}"', profile.name), client, release: () => undefined };
  }
  const address = parseNode(node);
  const where = vscode.l10n.t('node {0} of Redis profile "{1}"', node, profile.name);
  if (profile.mode !== 'cluster' && endpoint(address) === endpoint(profile)) {
    return { ...target, node, where, client: oneServer(await target.session.client()), release: () => undefined };
  }
  if (profile.mode !== 'cluster')
    throw new InputError(
      vscode.l10n.t('Redis profile "{0}" is not a cluster, so it has no node {1}: leave "node" out.', profile.name, node),
    );
  if (profile.via)
    throw new InputError(
      vscode.l10n.t('{0} cannot be reached on its own through the profile\'s SSH tunnel yet: open the insight without "node".', where),
    );
  const password = await deps.profiles.password(profile);
  const client = await connectRedis(
    { ...profile, mode: 'standalone', host: address.host, port: address.port, db: 0 },
    { connectionName: 'broker-explorer:server', reconnect: false, ...(password !== undefined ? { password } : {}) },
  );
  return { ...target, node, where, client, release: () => client.disconnect() };
}

/** Runs `work` with the server target, releasing its connection afterwards. */
export async function withServer<T>(
  deps: RedisUiDeps,
  call: CommandCall,
  title: string,
  work: (t: ServerTarget) => Promise<T>,
  askDb = false,
): Promise<T> {
  const target = await resolveServer(deps, call, title, askDb);
  try {
    return await work(target);
  } finally {
    target.release();
  }
}
