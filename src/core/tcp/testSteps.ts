/**
 * The steps of "Test connection": their names and results, the recorder that
 * times them (the first failure ends the test with its sentence), and the
 * SSH steps of a profile behind a bastion (each hop's connect, host key and
 * login, timed from the tunnel's events, then the forwards).
 */
import * as l10n from '@vscode/l10n';
import { BrokerError, CancelledError, errorMessage, throwIfAborted } from '../errors';
import { silentLogger } from '../logger';
import { hostPort, now, roundMs } from '../net/dial';
import { SshTunnel, hopLabel, type SshEvent, type SshHop, type SshSecrets } from '../net/sshTunnel';
import { endpoint, managementEndpoint, redactText, type ResolvedRabbitProfile, type ResolvedRedisProfile } from '../profiles';

export type TestStepName = 'ssh' | 'hostKey' | 'sshAuth' | 'forward' | 'dns' | 'tcp' | 'tls' | 'auth' | 'greeting' | 'management';

export interface TestStep {
  step: TestStepName;
  ok: boolean;
  /** Duration, rounded to 0.1 ms. */
  ms: number;
  detail?: string;
  error?: string;
}

export interface ConnectionTestResult {
  ok: boolean;
  steps: TestStep[];
  serverVersion?: string;
  /** The failing step's sentence. */
  error?: string;
}

export interface ConnectionTestOptions {
  signal?: AbortSignal;
  /** For a profile behind an SSH bastion: the bastion's secrets and how an unknown host key is treated. */
  ssh?: {
    secrets: SshSecrets;
    onUnknownHostKey?: (hop: SshHop, fingerprint: string) => Promise<boolean>;
    knownHostsPath?: string;
  };
}

/** Every secret a result must never show. */
export function secretsOf(password: string | undefined, options: ConnectionTestOptions): string[] {
  return [password, options.ssh?.secrets.password, options.ssh?.secrets.passphrase].filter((s): s is string => !!s);
}

/** A step failed: its sentence is already recorded; the test stops here. */
export class StepFailed extends BrokerError {}

/** Runs and records steps; the first failure throws StepFailed. */
export class StepRecorder {
  readonly steps: TestStep[] = [];
  private readonly started = now();

  constructor(
    readonly budgetMs: number,
    private readonly secrets: string[],
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** What is left of the handshake budget. */
  remaining(): number {
    return Math.max(1, this.budgetMs - (now() - this.started));
  }

  /** Records a step timed elsewhere (the SSH hops report their progress as events). */
  record(step: TestStepName, ms: number, outcome: { detail: string } | { error: unknown }): void {
    if ('detail' in outcome) this.steps.push({ step, ok: true, ms: roundMs(ms), detail: redactText(outcome.detail, this.secrets) });
    else this.steps.push({ step, ok: false, ms: roundMs(ms), error: redactText(errorMessage(outcome.error), this.secrets) });
  }

  async run<T>(step: TestStepName, fn: () => Promise<{ value: T; detail?: string }>): Promise<T> {
    throwIfAborted(this.signal);
    const started = now();
    try {
      const { value, detail } = await fn();
      const record: TestStep = { step, ok: true, ms: roundMs(now() - started) };
      if (detail !== undefined) record.detail = redactText(detail, this.secrets);
      this.steps.push(record);
      return value;
    } catch (err) {
      if (err instanceof CancelledError || this.signal?.aborted) throw new CancelledError(l10n.t('The connection test was cancelled.'));
      const message = redactText(errorMessage(err), this.secrets);
      this.steps.push({ step, ok: false, ms: roundMs(now() - started), error: message });
      throw new StepFailed(message);
    }
  }
}

const SSH_STEP: Record<SshEvent['kind'], TestStepName> = { connected: 'ssh', hostKey: 'hostKey', authenticated: 'sshAuth' };
const AFTER: Record<SshEvent['kind'], TestStepName> = { connected: 'hostKey', hostKey: 'sshAuth', authenticated: 'ssh' };

/**
 * The ssh, hostKey and sshAuth steps of each hop (timed from the tunnel's
 * events), then a forward to each address the profile needs; resolves with
 * the profile as its connections dial it, and the tunnel to close after.
 */
export async function sshSteps<P extends ResolvedRedisProfile | ResolvedRabbitProfile>(
  rec: StepRecorder,
  profile: P,
  options: ConnectionTestOptions,
): Promise<{ profile: P; tunnel: SshTunnel | undefined }> {
  const bastion = profile.ssh;
  if (!bastion) return { profile, tunnel: undefined };
  let last = now();
  let pending: TestStepName = 'ssh';
  const ssh = options.ssh;
  const tunnel = new SshTunnel(
    bastion,
    {
      timeoutMs: profile.connectTimeoutMs,
      secrets: () => Promise.resolve(ssh?.secrets ?? {}),
      ...(ssh?.onUnknownHostKey ? { onUnknownHostKey: ssh.onUnknownHostKey } : {}),
      ...(ssh?.knownHostsPath ? { knownHostsPath: ssh.knownHostsPath } : {}),
      observer: (e) => {
        const at = now();
        rec.record(SSH_STEP[e.kind], at - last, { detail: e.detail });
        last = at;
        pending = AFTER[e.kind];
      },
    },
    silentLogger,
    () => undefined,
  );
  try {
    await tunnel.ready();
  } catch (err) {
    tunnel.close();
    if (err instanceof CancelledError || options.signal?.aborted) throw new CancelledError(l10n.t('The connection test was cancelled.'));
    rec.record(pending, now() - last, { error: err });
    throw new StepFailed(redactText(errorMessage(err), []));
  }
  try {
    const reached: P = { ...profile };
    reached.via = await rec.run('forward', async () => {
      const local = await tunnel.forward(profile.host, profile.port);
      return {
        value: local,
        detail: l10n.t('{0} -> {1} through {2}', hostPort(local.host, local.port), endpoint(profile), hopLabel(bastion)),
      };
    });
    if (reached.kind === 'rabbitmq') {
      const target = managementEndpoint(reached.managementUrl);
      reached.managementVia = await rec.run('forward', async () => {
        const local = await tunnel.forward(target.host, target.port);
        return {
          value: local,
          detail: l10n.t('{0} -> {1} (management API)', hostPort(local.host, local.port), hostPort(target.host, target.port)),
        };
      });
    }
    return { profile: reached, tunnel };
  } catch (err) {
    tunnel.close();
    throw err;
  }
}
