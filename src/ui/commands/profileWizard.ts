/**
 * The guided Add Connection flow: one multi-step quick input with step
 * numbers and Back — kind (standalone, cluster, sentinel, RabbitMQ) → name →
 * address (host:port or URL, seed list, sentinels, AMQP URLs) → login → TLS
 * (with a CA file picker) → advanced (read-only, timeout, delimiter,
 * management API, SSH bastion) → "Test, then Save" or "Save anyway".
 * Edit Connection runs the same flow from the profile's current answers
 * (without the kind of broker and the settings target, which stay).
 * It only asks and checks; saving is the caller's (profiles.ts).
 */
import * as vscode from 'vscode';
import { hopLabel, type SshHop, type SshSecrets } from '../../core/net/sshTunnel';
import { checkName, parseRedisUrl, type ProfileKind, type RedisMode, type ResolvedProfile } from '../../core/profiles';
import type { ConnectionTestOptions, ConnectionTestResult } from '../../core/tcp/connectionTest';
import type { ProfileTarget } from '../profileStore';
import { UserCancelled, type Prompts } from '../prompts';
import { runSteps, type FlowStep, type StepPosition } from '../stepFlow';
import {
  addressFields,
  forgetMovedSecrets,
  initialState,
  isRedisUrl,
  problemOf,
  resolved,
  urlUser,
  wizardProfile,
  type WizardState,
} from './profileWizardState';
import { advanced } from './profileWizardAdvanced';

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

interface KindItem {
  label: string;
  description: string;
  broker: ProfileKind;
  mode: RedisMode;
}
const kinds = (): KindItem[] => [
  { label: 'Redis', description: vscode.l10n.t('one server'), broker: 'redis', mode: 'standalone' },
  { label: 'Redis Cluster', description: vscode.l10n.t('seed nodes; keys spread by hash slot'), broker: 'redis', mode: 'cluster' },
  { label: 'Redis Sentinel', description: vscode.l10n.t('the primary found through sentinels'), broker: 'redis', mode: 'sentinel' },
  { label: 'RabbitMQ', description: vscode.l10n.t('one node, or a cluster of nodes'), broker: 'rabbitmq', mode: 'standalone' },
];

/** A pick whose current answer comes first. */
function currentFirst<T extends { value: unknown }>(items: readonly T[], current: unknown): T[] {
  return [...items.filter((i) => i.value === current), ...items.filter((i) => i.value !== current)];
}

function steps(deps: WizardDeps, presetKind: ProfileKind | undefined, editing: boolean): FlowStep<WizardState>[] {
  const { prompts } = deps;
  const brokerName = (s: WizardState): string => (s.kind === 'redis' ? 'Redis' : 'RabbitMQ');
  return [
    {
      name: 'kind',
      applies: () => presetKind !== 'rabbitmq',
      run: async (s, step) => {
        const offered = kinds().filter((k) => presetKind === undefined || k.broker === presetKind);
        const current = offered.find((k) => k.broker === s.kind && k.mode === s.mode);
        const pick = await prompts.pick(
          currentFirst(
            offered.map((k) => ({ ...k, value: k })),
            current,
          ),
          { title: editing ? vscode.l10n.t('Edit connection: kind') : vscode.l10n.t('New connection: kind'), step },
        );
        s.kind = pick.broker;
        s.mode = pick.mode;
      },
    },
    {
      name: 'name',
      run: async (s, step) => {
        const taken = deps.taken(s.kind);
        const title = editing
          ? vscode.l10n.t('Edit {0} connection: name', brokerName(s))
          : vscode.l10n.t('New {0} connection: name', brokerName(s));
        s.name = await prompts.ask(title, {
          value: s.name || (taken.has('local') ? '' : 'local'),
          validate: (v) =>
            checkName(v) ?? (taken.has(v) ? vscode.l10n.t('A {0} profile named "{1}" exists already.', brokerName(s), v) : undefined),
          step,
        });
      },
    },
    {
      name: 'address',
      run: async (s, step) => {
        const ask: Record<RedisMode, [string, string, string]> = {
          standalone: [
            vscode.l10n.t('{0}: Host and port, or a redis:// URL', s.name),
            '127.0.0.1:6379',
            vscode.l10n.t('host:port, or redis://user@host:6379/0 (rediss:// for TLS)'),
          ],
          cluster: [
            vscode.l10n.t('{0}: Seed nodes', s.name),
            '127.0.0.1:7000',
            vscode.l10n.t('host:port of one or more cluster nodes, comma-separated'),
          ],
          sentinel: [
            vscode.l10n.t('{0}: Sentinels', s.name),
            '127.0.0.1:26379',
            vscode.l10n.t('host:port of one or more sentinels, comma-separated'),
          ],
        };
        const [title, value, prompt] =
          s.kind === 'rabbitmq'
            ? [
                vscode.l10n.t('{0}: AMQP URL (without the password)', s.name),
                'amqp://guest@127.0.0.1:5672/',
                vscode.l10n.t('amqp://user@host:5672/vhost; several, comma-separated, for a cluster'),
              ]
            : ask[s.mode];
        s.address = await prompts.ask(title, {
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
        s.sentinelName = await prompts.ask(vscode.l10n.t('{0}: name of the primary', s.name), {
          value: s.sentinelName,
          prompt: vscode.l10n.t('The name the sentinels know the primary by (sentinel monitor <name> …).'),
          validate: (v) => (v.trim() === '' ? vscode.l10n.t("Give the primary's name as the sentinels know it.") : undefined),
          step,
        });
      },
    },
    {
      name: 'database',
      applies: (s) =>
        s.kind === 'redis' && s.mode !== 'cluster' && !(isRedisUrl(s.address) && parseRedisUrl(s.address.trim()).db !== undefined),
      run: async (s, step) => {
        s.db = await prompts.ask(vscode.l10n.t('{0}: database', s.name), {
          value: s.db,
          validate: (v) => (/^\d{1,5}$/.test(v.trim()) ? undefined : vscode.l10n.t('The database is a number: 0, 1, 2, …')),
          step,
        });
      },
    },
    {
      name: 'user',
      applies: (s) => s.kind === 'redis' && urlUser(s) === undefined,
      run: async (s, step) => {
        s.username = await prompts.ask(vscode.l10n.t('{0}: user name (empty for the default user)', s.name), { value: s.username, step });
      },
    },
    {
      name: 'password',
      run: async (s, step) => {
        forgetMovedSecrets(s);
        const user = urlUser(s) ?? (s.username || undefined);
        const title = user
          ? vscode.l10n.t('{0}: password of "{1}" (kept in the secret storage; empty for none)', s.name, user)
          : vscode.l10n.t('{0}: password (kept in the secret storage; empty for none)', s.name);
        s.password = await prompts.ask(title, {
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
                { label: vscode.l10n.t('No TLS'), description: vscode.l10n.t('plain TCP'), value: 'none' as const },
                {
                  label: 'TLS',
                  description: vscode.l10n.t("the server's certificate checked against the system's CAs"),
                  value: 'system' as const,
                },
                {
                  label: vscode.l10n.t('TLS with a CA file…'),
                  description: vscode.l10n.t('a private CA: pick its PEM file'),
                  value: 'ca' as const,
                },
                {
                  label: vscode.l10n.t('TLS, self-signed'),
                  description: vscode.l10n.t('accept a certificate no CA signed (test servers only)'),
                  value: 'selfSigned' as const,
                },
              ],
              s.tls,
            ),
            { title: vscode.l10n.t('{0}: TLS', s.name), step },
          );
          if (pick.value !== 'ca') {
            s.tls = pick.value;
            return;
          }
          try {
            s.caPath = await prompts.openFile(vscode.l10n.t('CA certificate (PEM) for "{0}"', s.name), s.caPath || undefined);
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
      applies: () => deps.hasWorkspace && !editing,
      run: async (s, step) => {
        const pick = await prompts.pick(
          currentFirst(
            [
              {
                label: vscode.l10n.t('User settings'),
                description: vscode.l10n.t('available in every workspace'),
                value: 'global' as const,
              },
              {
                label: vscode.l10n.t('Workspace settings'),
                description: vscode.l10n.t('only in this workspace'),
                value: 'workspace' as const,
              },
            ],
            s.target,
          ),
          { title: vscode.l10n.t('{0}: save in', s.name), step },
        );
        s.target = pick.value;
      },
    },
  ];
}

/** The last step: test the unsaved profile and save, or save untested; a failed test says why and offers both again. */
async function saveStep(deps: WizardDeps, s: WizardState, step: StepPosition): Promise<ConnectionTestResult | undefined> {
  let failure: string | undefined;
  for (;;) {
    const pick = await deps.prompts.pick(
      [
        {
          label: failure ? vscode.l10n.t('Test again') : vscode.l10n.t('Test, then Save'),
          description: vscode.l10n.t('connect with these settings first; save when it works'),
          ...(failure ? { detail: failure } : {}),
          value: 'test' as const,
        },
        { label: vscode.l10n.t('Save anyway'), description: vscode.l10n.t('save without connecting'), value: 'save' as const },
      ],
      {
        title: failure ? vscode.l10n.t('{0}: the test failed — Back to change a setting', s.name) : vscode.l10n.t('{0}: save', s.name),
        step,
        matchOnDetail: false,
      },
    );
    if (pick.value === 'save') return undefined;
    const ssh = { secrets: s.sshSecrets, onUnknownHostKey: (hop: SshHop, fp: string) => trustHop(deps.prompts, s, hop, fp) };
    const result = await deps.test(resolved(s), s.password || undefined, s.ssh ? { ssh } : {});
    if (result.ok) return result;
    failure = result.error ?? vscode.l10n.t('The connection test failed.');
  }
}

/** An unknown bastion key met while testing: pinned into the profile being made when the user trusts it. */
async function trustHop(prompts: Prompts, s: WizardState, hop: SshHop, fingerprint: string): Promise<boolean> {
  if (!s.ssh || hop.host !== s.ssh.host) return false;
  const trust = vscode.l10n.t('Trust and Pin');
  const answer = await prompts
    .choose(
      vscode.l10n.t('The SSH host key of {0} is not known. Trust it for "{1}"?', hopLabel(hop), s.name),
      [trust],
      vscode.l10n.t('Fingerprint: {0}', fingerprint),
    )
    .catch(() => undefined);
  if (answer !== trust) return false;
  s.ssh = { ...s.ssh, hostKey: fingerprint };
  return true;
}

/**
 * Runs the guided flow; resolves with what to save, or rejects with UserCancelled when dismissed.
 * `start`: the answers of the profile being edited (Edit Connection); its broker stays.
 */
export async function runProfileWizard(
  deps: WizardDeps,
  presetKind?: ProfileKind,
  start?: WizardState,
): Promise<WizardResult & { state: WizardState }> {
  const state = start ?? initialState(presetKind ?? 'redis');
  let tested: ConnectionTestResult | undefined;
  await runSteps(state, [
    ...steps(deps, start ? start.kind : presetKind, start !== undefined),
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
    state,
  };
}
