/**
 * The guided Add Connection flow: one multi-step quick input with step
 * numbers and Back — kind (standalone, cluster, sentinel, RabbitMQ) → name →
 * address (host:port or URL, seed list, sentinels, AMQP URLs) → login → TLS
 * (with a CA file picker) → advanced (read-only, timeout, delimiter,
 * management API, SSH bastion) → "Test, then Save" or "Save anyway".
 * It only asks and checks; saving is the caller's (profiles.ts).
 */
import { hopLabel, type SshHop, type SshSecrets } from '../../core/net/sshTunnel';
import { checkName, checkTimeout, parseRedisUrl, type ProfileKind, type RedisMode, type ResolvedProfile } from '../../core/profiles';
import type { ConnectionTestOptions, ConnectionTestResult } from '../../core/tcp/connectionTest';
import type { ProfileTarget } from '../profileStore';
import { GoBack, UserCancelled, type Prompts } from '../prompts';
import { runSteps, type FlowStep, type StepPosition } from '../stepFlow';
import {
  addressFields,
  initialState,
  isRedisUrl,
  problemOf,
  resolved,
  urlUser,
  wizardProfile,
  type WizardState,
} from './profileWizardState';
import { askSsh } from './sshPrompts';

/** What the flow hands back for saving. */
export interface WizardResult {
  kind: ProfileKind;
  raw: Record<string, unknown>;
  password: string | undefined;
  sentinelPassword: string | undefined;
  sshSecrets: SshSecrets;
  target: ProfileTarget;
  /** The Test Connection result when the user tested before saving. */
  tested?: ConnectionTestResult;
}

export interface WizardDeps {
  prompts: Prompts;
  /** Names already used by profiles of the kind. */
  taken(kind: ProfileKind): ReadonlySet<string>;
  /** True when a workspace is open (the profile may go to workspace settings). */
  hasWorkspace: boolean;
  /** Test Connection's core on a profile not saved yet (with progress). */
  test(profile: ResolvedProfile, password: string | undefined, options: ConnectionTestOptions): Promise<ConnectionTestResult>;
}

const KINDS: readonly { label: string; description: string; broker: ProfileKind; mode: RedisMode }[] = [
  { label: 'Redis', description: 'one server', broker: 'redis', mode: 'standalone' },
  { label: 'Redis Cluster', description: 'seed nodes; keys spread by hash slot', broker: 'redis', mode: 'cluster' },
  { label: 'Redis Sentinel', description: 'the primary found through sentinels', broker: 'redis', mode: 'sentinel' },
  { label: 'RabbitMQ', description: 'one node, or a cluster of nodes', broker: 'rabbitmq', mode: 'standalone' },
];
/** A pick whose current answer comes first. */
function currentFirst<T extends { value: unknown }>(items: readonly T[], current: unknown): T[] {
  return [...items.filter((i) => i.value === current), ...items.filter((i) => i.value !== current)];
}

function steps(deps: WizardDeps, presetKind: ProfileKind | undefined): FlowStep<WizardState>[] {
  const { prompts } = deps;
  const brokerName = (s: WizardState): string => (s.kind === 'redis' ? 'Redis' : 'RabbitMQ');
  return [
    {
      name: 'kind',
      applies: () => presetKind !== 'rabbitmq',
      run: async (s, step) => {
        const offered = KINDS.filter((k) => presetKind === undefined || k.broker === presetKind);
        const current = KINDS.find((k) => k.broker === s.kind && k.mode === s.mode);
        const pick = await prompts.pick(
          currentFirst(
            offered.map((k) => ({ ...k, value: k })),
            current,
          ),
          { title: 'New connection: kind', step },
        );
        s.kind = pick.broker;
        s.mode = pick.mode;
      },
    },
    {
      name: 'name',
      run: async (s, step) => {
        const taken = deps.taken(s.kind);
        s.name = await prompts.ask(`New ${brokerName(s)} connection: name`, {
          value: s.name || (taken.has('local') ? '' : 'local'),
          validate: (v) => checkName(v) ?? (taken.has(v) ? `A ${brokerName(s)} profile named "${v}" exists already.` : undefined),
          step,
        });
      },
    },
    {
      name: 'address',
      run: async (s, step) => {
        const ask = {
          standalone: ['Host and port, or a redis:// URL', '127.0.0.1:6379', 'host:port, or redis://user@host:6379/0 (rediss:// for TLS)'],
          cluster: ['Seed nodes', '127.0.0.1:7000', 'host:port of one or more cluster nodes, comma-separated'],
          sentinel: ['Sentinels', '127.0.0.1:26379', 'host:port of one or more sentinels, comma-separated'],
        } as const;
        const [title, value, prompt] =
          s.kind === 'rabbitmq'
            ? [
                'AMQP URL (without the password)',
                'amqp://guest@127.0.0.1:5672/',
                'amqp://user@host:5672/vhost; several, comma-separated, for a cluster',
              ]
            : ask[s.mode];
        s.address = await prompts.ask(`${s.name}: ${title}`, {
          value: s.address || value,
          prompt,
          validate: (v) => problemOf(() => addressFields({ ...s, address: v })),
          step,
        });
        if (/^(rediss|amqps):/i.test(s.address.trim()) && s.tls === 'none') s.tls = 'system';
      },
    },
    {
      name: 'sentinel name',
      applies: (s) => s.kind === 'redis' && s.mode === 'sentinel',
      run: async (s, step) => {
        s.sentinelName = await prompts.ask(`${s.name}: name of the primary`, {
          value: s.sentinelName,
          prompt: 'The name the sentinels know the primary by (sentinel monitor <name> …).',
          validate: (v) => (v.trim() === '' ? "Give the primary's name as the sentinels know it." : undefined),
          step,
        });
      },
    },
    {
      name: 'database',
      applies: (s) =>
        s.kind === 'redis' && s.mode !== 'cluster' && !(isRedisUrl(s.address) && parseRedisUrl(s.address.trim()).db !== undefined),
      run: async (s, step) => {
        s.db = await prompts.ask(`${s.name}: database`, {
          value: s.db,
          validate: (v) => (/^\d{1,5}$/.test(v.trim()) ? undefined : 'The database is a number: 0, 1, 2, …'),
          step,
        });
      },
    },
    {
      name: 'user',
      applies: (s) => s.kind === 'redis' && urlUser(s) === undefined,
      run: async (s, step) => {
        s.username = await prompts.ask(`${s.name}: user name (empty for the default user)`, { value: s.username, step });
      },
    },
    {
      name: 'password',
      run: async (s, step) => {
        const user = urlUser(s) ?? (s.username || undefined);
        s.password = await prompts.ask(`${s.name}: password${user ? ` of "${user}"` : ''} (kept in the secret storage; empty for none)`, {
          password: true,
          value: s.password,
          step,
        });
      },
    },
    {
      name: 'tls',
      run: async (s, step) => {
        for (;;) {
          const pick = await prompts.pick(
            currentFirst(
              [
                { label: 'No TLS', description: 'plain TCP', value: 'none' as const },
                { label: 'TLS', description: "the server's certificate checked against the system's CAs", value: 'system' as const },
                { label: 'TLS with a CA file…', description: 'a private CA: pick its PEM file', value: 'ca' as const },
                {
                  label: 'TLS, self-signed',
                  description: 'accept a certificate no CA signed (test servers only)',
                  value: 'selfSigned' as const,
                },
              ],
              s.tls,
            ),
            { title: `${s.name}: TLS`, step },
          );
          if (pick.value !== 'ca') {
            s.tls = pick.value;
            return;
          }
          try {
            s.caPath = await prompts.openFile(`CA certificate (PEM) for "${s.name}"`, s.caPath || undefined);
            s.tls = 'ca';
            return;
          } catch (err) {
            if (!(err instanceof UserCancelled)) throw err;
          }
        }
      },
    },
    { name: 'advanced', run: (s, step) => advanced(prompts, s, step) },
    {
      name: 'settings target',
      applies: () => deps.hasWorkspace,
      run: async (s, step) => {
        const pick = await prompts.pick(
          currentFirst(
            [
              { label: 'User settings', description: 'available in every workspace', value: 'global' as const },
              { label: 'Workspace settings', description: 'only in this workspace', value: 'workspace' as const },
            ],
            s.target,
          ),
          { title: `${s.name}: save in`, step },
        );
        s.target = pick.value;
      },
    },
  ];
}

/** Advanced settings: a list of the current values; picking one changes it, Continue goes on. */
async function advanced(prompts: Prompts, s: WizardState, step: StepPosition): Promise<void> {
  for (;;) {
    const items: { label: string; description: string; value: string }[] = [
      { label: 'Continue', description: 'keep these settings', value: 'done' },
      { label: 'Read-only', description: s.readOnly ? 'on: writes are refused' : 'off', value: 'readOnly' },
      { label: 'Connect timeout', description: `${s.connectTimeoutMs} ms for the whole handshake`, value: 'timeout' },
    ];
    if (s.kind === 'redis')
      items.push({ label: 'Key delimiter', description: `"${s.delimiter}" splits key names into folders`, value: 'delimiter' });
    if (s.kind === 'redis' && s.mode === 'sentinel')
      items.push({ label: 'Sentinel password', description: s.sentinelPassword ? 'set' : 'none', value: 'sentinelPassword' });
    if (s.kind === 'rabbitmq')
      items.push({
        label: 'Management API URL',
        description: s.managementUrl || 'derived from the AMQP URL (port 15672)',
        value: 'management',
      });
    items.push({ label: 'SSH bastion', description: s.ssh ? `${s.ssh.username}@${s.ssh.host}` : 'none: connect directly', value: 'ssh' });
    const pick = await prompts.pick(items, { title: `${s.name}: advanced settings`, step });
    if (pick.value === 'done') return;
    try {
      await changeAdvanced(prompts, s, pick.value);
    } catch (err) {
      // Dismissing a setting's own prompt returns to the list; anything else ends the flow.
      if (!(err instanceof UserCancelled) || err instanceof GoBack) throw err;
    }
  }
}

async function changeAdvanced(prompts: Prompts, s: WizardState, what: string): Promise<void> {
  if (what === 'readOnly') s.readOnly = !s.readOnly;
  else if (what === 'timeout')
    s.connectTimeoutMs = Number(
      await prompts.ask('Connect timeout (milliseconds)', { value: String(s.connectTimeoutMs), validate: (v) => checkTimeout(Number(v)) }),
    );
  else if (what === 'delimiter')
    s.delimiter = await prompts.ask('Key delimiter', {
      value: s.delimiter,
      validate: (v) => (v === '' ? 'Give at least one character.' : undefined),
    });
  else if (what === 'sentinelPassword')
    s.sentinelPassword = await prompts.ask('Password of the sentinels (kept in the secret storage; empty for none)', {
      password: true,
      value: s.sentinelPassword,
    });
  else if (what === 'management')
    s.managementUrl = await prompts.ask('Management API URL (empty: derived from the AMQP URL)', {
      value: s.managementUrl,
      validate: (v) => (v === '' || /^https?:\/\/\S+$/.test(v) ? undefined : 'Give an http:// or https:// URL, or leave it empty.'),
    });
  else if (what === 'ssh') await changeSsh(prompts, s);
}

async function changeSsh(prompts: Prompts, s: WizardState): Promise<void> {
  if (s.ssh) {
    const what = await prompts.pick(['Change the SSH bastion', 'Remove the SSH bastion'], { title: `${s.name}: SSH` });
    if (what === 'Remove the SSH bastion') {
      s.ssh = undefined;
      s.sshSecrets = {};
      return;
    }
  }
  const asked = await askSsh(prompts, s.ssh);
  s.ssh = asked.ssh;
  s.sshSecrets = asked.secrets;
}

/** The last step: test the unsaved profile and save, or save untested; a failed test says why and offers both again. */
async function saveStep(deps: WizardDeps, s: WizardState, step: StepPosition): Promise<ConnectionTestResult | undefined> {
  let failure: string | undefined;
  for (;;) {
    const pick = await deps.prompts.pick(
      [
        {
          label: failure ? 'Test again' : 'Test, then Save',
          description: 'connect with these settings first; save when it works',
          ...(failure ? { detail: failure } : {}),
          value: 'test' as const,
        },
        { label: 'Save anyway', description: 'save without connecting', value: 'save' as const },
      ],
      { title: failure ? `${s.name}: the test failed — Back to change a setting` : `${s.name}: save`, step, matchOnDetail: false },
    );
    if (pick.value === 'save') return undefined;
    const ssh = { secrets: s.sshSecrets, onUnknownHostKey: (hop: SshHop, fp: string) => trustHop(deps.prompts, s, hop, fp) };
    const result = await deps.test(resolved(s), s.password || undefined, s.ssh ? { ssh } : {});
    if (result.ok) return result;
    failure = result.error ?? 'The connection test failed.';
  }
}

/** An unknown bastion key met while testing: pinned into the profile being made when the user trusts it. */
async function trustHop(prompts: Prompts, s: WizardState, hop: SshHop, fingerprint: string): Promise<boolean> {
  if (!s.ssh || hop.host !== s.ssh.host) return false;
  const answer = await prompts
    .choose(
      `The SSH host key of ${hopLabel(hop)} is not known. Trust it for "${s.name}"?`,
      ['Trust and Pin'],
      `Fingerprint: ${fingerprint}`,
    )
    .catch(() => undefined);
  if (answer !== 'Trust and Pin') return false;
  s.ssh = { ...s.ssh, hostKey: fingerprint };
  return true;
}

/** Runs the guided flow; resolves with what to save, or rejects with UserCancelled when dismissed. */
export async function runProfileWizard(deps: WizardDeps, presetKind?: ProfileKind): Promise<WizardResult> {
  const state = initialState(presetKind ?? 'redis');
  let tested: ConnectionTestResult | undefined;
  await runSteps(state, [
    ...steps(deps, presetKind),
    {
      name: 'save',
      run: async (s, step) => {
        tested = await saveStep(deps, s, step);
      },
    },
  ]);
  return {
    kind: state.kind,
    raw: wizardProfile(state),
    password: state.password === '' ? undefined : state.password,
    sentinelPassword: state.sentinelPassword === '' ? undefined : state.sentinelPassword,
    sshSecrets: state.sshSecrets,
    target: state.target,
    ...(tested ? { tested } : {}),
  };
}
