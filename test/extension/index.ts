/**
 * Entry of the extension-host suite (bundled to dist/test/index.js): runs
 * every registered test file in the real VS Code host and fails on any
 * unhandled rejection or uncaught exception seen meanwhile.
 */
import Mocha from 'mocha';
import { registerActivationTests } from './activation.test';
import { registerBadInputTests } from './badInput.test';
import { registerDashboardTests } from './dashboards.test';
import { registerConnectComposerTests } from './connectComposer.test';
import { registerConnectEditorTests } from './connectEditors.test';
import { registerConnectErrorTests } from './connectErrors.test';
import { registerConnectWizardTests } from './connectWizard.test';
import { registerConnectPolishTests } from './connectPolish.test';
import { registerFaultTests } from './faults.test';
import { registerProfileTests } from './profiles.test';
import { registerRabbitmqClusterTests } from './rabbitmqCluster.test';
import { registerRabbitmqInteractiveTests } from './rabbitmqInteractive.test';
import { registerRabbitmqTests } from './rabbitmq.test';
import { registerRabbitmqTreeTests } from './rabbitmqTree.test';
import { registerRedisClusterTests } from './redisCluster.test';
import { registerRedisSentinelTests } from './redisSentinel.test';
import { registerRabbitmqOpsTests } from './rabbitmqOps.test';
import { registerRabbitmqUsersTests } from './rabbitmqUsers.test';
import { registerRedisTreeTests } from './redisTree.test';
import { registerRedisConsoleTests } from './redisConsole.test';
import { registerRedisInteractiveTests } from './redisInteractive.test';
import { registerRedisInsightTests } from './redisInsight.test';
import { registerRedisOpsTests } from './redisOps.test';
import { registerRedisPubSubTests } from './redisPubsub.test';
import { registerRedisScanTests } from './redisScan.test';
import { registerRedisStreamsTests } from './redisStreams.test';
import { registerRedisStringTests } from './redisStrings.test';
import { registerRedisJsonEditTests } from './redisJsonEdit.test';
import { registerReadOnlyTests } from './readOnly.test';
import { registerReadOnlyRabbitOpsTests } from './readOnlyRabbitOps.test';
import { registerBadInputRabbitOpsTests } from './badInputRabbitOps.test';
import { registerSecretsTests } from './secrets.test';
import { registerSshTests } from './ssh.test';
import { registerTcpTests } from './tcp.test';
import { registerTcpTerminalTests } from './tcpTerminal.test';
import { registerValueEditorTests } from './valueEditor.test';
import { registerTreesTests } from './trees.test';
import { registerTreesRabbitTests } from './treesRabbit.test';

export function run(): Promise<void> {
  // BE_TEST_GREP=<regex> runs only the matching tests (for working on one area; CI runs all).
  const grep = process.env.BE_TEST_GREP;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec', ...(grep ? { grep: new RegExp(grep) } : {}) });
  mocha.suite.emit('pre-require', globalThis, 'extension-host', mocha);
  const stray: string[] = [];
  const onRejection = (reason: unknown): void => {
    stray.push(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
  };
  const onException = (err: Error): void => {
    stray.push(`uncaught exception: ${err.stack ?? err.message}`);
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  registerActivationTests();
  registerProfileTests();
  registerConnectWizardTests();
  registerConnectPolishTests();
  registerConnectErrorTests();
  registerConnectEditorTests();
  registerConnectComposerTests();
  registerRedisTreeTests();
  registerRedisOpsTests();
  registerRedisPubSubTests();
  registerRedisScanTests();
  registerRedisStringTests();
  registerRedisJsonEditTests();
  registerRedisStreamsTests();
  registerValueEditorTests();
  registerRedisInsightTests();
  registerDashboardTests();
  registerRedisConsoleTests();
  registerRedisInteractiveTests();
  registerRedisClusterTests();
  registerRedisSentinelTests();
  registerTcpTests();
  registerSshTests();
  registerRabbitmqTests();
  registerRabbitmqTreeTests();
  registerRabbitmqInteractiveTests();
  registerRabbitmqClusterTests();
  registerRabbitmqOpsTests();
  registerRabbitmqUsersTests();
  registerTcpTerminalTests();
  registerTreesTests();
  registerTreesRabbitTests();
  registerBadInputTests();
  registerReadOnlyTests();
  registerReadOnlyRabbitOpsTests();
  registerBadInputRabbitOpsTests();
  registerFaultTests();
  registerSecretsTests();
  describe('the extension host after every test', () => {
    it('saw no unhandled rejection and no uncaught exception', () => {
      if (stray.length > 0) throw new Error(stray.join('\n'));
    });
  });
  return new Promise((resolve, reject) => {
    mocha.run((failures) => {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
      if (failures > 0) reject(new Error(`${failures} extension-host tests failed.`));
      else resolve();
    });
  });
}
