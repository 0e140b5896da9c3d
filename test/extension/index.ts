/**
 * Entry of the extension-host suite (bundled to dist/test/index.js): runs
 * every registered test file in the real VS Code host and fails on any
 * unhandled rejection or uncaught exception seen meanwhile.
 */
import Mocha from 'mocha';
import { registerActivationTests } from './activation.test';
import { registerBadInputTests } from './badInput.test';
import { registerFaultTests } from './faults.test';
import { registerProfileTests } from './profiles.test';
import { registerRabbitmqClusterTests } from './rabbitmqCluster.test';
import { registerRabbitmqInteractiveTests } from './rabbitmqInteractive.test';
import { registerRabbitmqTests } from './rabbitmq.test';
import { registerRabbitmqTreeTests } from './rabbitmqTree.test';
import { registerRedisClusterTests } from './redisCluster.test';
import { registerRedisSentinelTests } from './redisSentinel.test';
import { registerRabbitmqOpsTests } from './rabbitmqOps.test';
import { registerRedisTreeTests } from './redisTree.test';
import { registerRedisConsoleTests } from './redisConsole.test';
import { registerRedisInteractiveTests } from './redisInteractive.test';
import { registerRedisInsightTests } from './redisInsight.test';
import { registerRedisOpsTests } from './redisOps.test';
import { registerRedisPubSubTests } from './redisPubsub.test';
import { registerRedisScanTests } from './redisScan.test';
import { registerRedisStreamsTests } from './redisStreams.test';
import { registerRedisStringTests } from './redisStrings.test';
import { registerReadOnlyTests } from './readOnly.test';
import { registerSecretsTests } from './secrets.test';
import { registerSshTests } from './ssh.test';
import { registerTcpTests } from './tcp.test';
import { registerTcpTerminalTests } from './tcpTerminal.test';
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
  registerRedisTreeTests();
  registerRedisOpsTests();
  registerRedisPubSubTests();
  registerRedisScanTests();
  registerRedisStringTests();
  registerRedisStreamsTests();
  registerRedisInsightTests();
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
  registerTcpTerminalTests();
  registerTreesTests();
  registerTreesRabbitTests();
  registerBadInputTests();
  registerReadOnlyTests();
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
