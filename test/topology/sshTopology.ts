/**
 * An sshd of the test's own (Debian's openssh-server): its own port, host
 * key, config and authorized keys in a temp dir, started with `-D -f`; the
 * system's sshd and /etc/ssh are never used. User keys are made with
 * ssh-keygen; a throw-away login user with a random password can be added
 * with useradd and is removed by `stop()`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, sleep } from '../core/helpers/common';

const SSHD = '/usr/sbin/sshd';

export function sshdAvailable(): boolean {
  return existsSync(SSHD);
}

/** A key pair made with ssh-keygen. */
export interface KeyPair {
  privateKeyPath: string;
  publicKey: string;
  passphrase: string | undefined;
}

export function makeKeyPair(dir: string, name: string, passphrase?: string): KeyPair {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase ?? '', '-C', name, '-f', path]);
  return { privateKeyPath: path, publicKey: readFileSync(`${path}.pub`, 'utf8').trim(), passphrase };
}

/** The SHA256 fingerprint of a public key, as OpenSSH prints it (`SHA256:…`). */
export function fingerprint(publicKeyPath: string): string {
  return execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', publicKeyPath], { encoding: 'utf8' }).split(' ')[1];
}

export class OwnSshd {
  readonly dir = mkdtempSync(join(tmpdir(), 'be-sshd-'));
  private proc: ChildProcess | undefined;
  private readonly users: string[] = [];
  /** The user that key logins use (the account running the tests). */
  readonly keyUser = process.env.USER ?? 'root';
  readonly hostKeyPath: string;

  private constructor(
    readonly port: number,
    readonly authorizedKeys: KeyPair[],
  ) {
    this.hostKeyPath = join(this.dir, 'host_ed25519');
  }

  /** Starts sshd with a fresh host key; `keys` may log in as `keyUser`. */
  static async start(keys: KeyPair[] = []): Promise<OwnSshd> {
    const sshd = new OwnSshd(await freePort(), keys);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', sshd.hostKeyPath]);
    writeFileSync(join(sshd.dir, 'authorized_keys'), keys.map((k) => `${k.publicKey}\n`).join(''), { mode: 0o600 });
    writeFileSync(
      join(sshd.dir, 'sshd_config'),
      [
        `Port ${sshd.port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${sshd.hostKeyPath}`,
        `PidFile ${join(sshd.dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(sshd.dir, 'authorized_keys')}`,
        'PermitRootLogin yes',
        'PasswordAuthentication yes',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'UsePAM no',
        'StrictModes no',
        'AllowTcpForwarding yes',
        'PermitOpen any',
        'ClientAliveInterval 0',
        'LogLevel VERBOSE',
        '',
      ].join('\n'),
    );
    mkdirSync('/run/sshd', { recursive: true });
    await sshd.launch();
    return sshd;
  }

  /** The host key's fingerprint (`SHA256:…`). */
  get hostKeyFingerprint(): string {
    return fingerprint(`${this.hostKeyPath}.pub`);
  }

  get running(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Starts (again) on the same port and waits until it accepts connections. */
  async launch(): Promise<void> {
    this.proc = spawn(SSHD, ['-D', '-e', '-f', join(this.dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    this.proc.stderr?.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-4000);
    });
    for (let i = 0; i < 100; i++) {
      if (!this.running) throw new Error(`sshd exited at start: ${log}`);
      const ok = await new Promise<boolean>((resolve) => {
        const s = net.connect({ host: '127.0.0.1', port: this.port });
        s.once('data', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      });
      if (ok) return;
      await sleep(100);
    }
    throw new Error(`sshd did not answer on ${this.port}: ${log}`);
  }

  /** Adds a throw-away login user with a random password; removed by `stop()`. */
  addPasswordUser(): { username: string; password: string } {
    const username = `be${randomBytes(4).toString('hex')}`;
    const password = randomBytes(12).toString('base64url');
    execFileSync('useradd', ['--no-create-home', '--shell', '/bin/sh', username]);
    this.users.push(username);
    execFileSync('chpasswd', { input: `${username}:${password}\n` });
    return { username, password };
  }

  /** Pids of the per-connection sshd processes (children of the listener). */
  sessionPids(): number[] {
    if (!this.proc?.pid) return [];
    try {
      return execFileSync('pgrep', ['-P', String(this.proc.pid)], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .map(Number);
    } catch {
      return []; // pgrep exits 1 when there are none
    }
  }

  /** Kills every live connection (the tunnel drops) while the listener stays. */
  killSessions(): number {
    let killed = 0;
    for (const pid of this.sessionPids()) {
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {
        // it ended between the listing and the kill
      }
    }
    return killed;
  }

  /** Stops the listener (live sessions keep running unless killed too). */
  async halt(): Promise<void> {
    if (!this.running || !this.proc) return;
    const exited = once(this.proc, 'exit');
    this.proc.kill('SIGTERM');
    await exited;
  }

  async stop(): Promise<void> {
    this.killSessions();
    await this.halt();
    for (const u of this.users.splice(0)) {
      try {
        execFileSync('userdel', [u]);
      } catch {
        // already gone
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
