/** Every server-insight command (issue 14, part 2), for the one registration table. */
import type { CommandSpec } from '../registry';
import type { RedisUiDeps } from './redisTarget';
import { redisServerAnalysisCommands } from './serverAnalysis';
import { redisServerClientCommands } from './serverClients';
import { redisServerInfoCommands } from './serverInfo';
import { redisServerTailCommands } from './serverTails';

export function redisServerCommands(deps: RedisUiDeps): CommandSpec[] {
  return [
    ...redisServerInfoCommands(deps),
    ...redisServerClientCommands(deps),
    ...redisServerAnalysisCommands(deps),
    ...redisServerTailCommands(deps),
  ];
}
