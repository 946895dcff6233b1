import {writeSync} from 'node:fs';
import {agentNames} from '../../agents';
import {VERSION} from '../version';

// `hacloud version`
export function printVersion(): number {
  writeSync(1, `hacloud ${VERSION}\n`);
  return 0;
}

// `hacloud agents`: one agent name a line, as `make install` reads them.
export function printAgents(): number {
  writeSync(1, `${agentNames().join('\n')}\n`);
  return 0;
}
