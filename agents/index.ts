import type {AgentDeclaration} from '../lib/ocf/declaration';
import type {ParameterTable} from '../lib/ocf/parameters';

type Loader = () => Promise<AgentDeclaration<ParameterTable>>;

// Every agent the binary serves, by the name it is linked under. Loaded on
// demand: an action evaluates only its own agent's module.
export const agents: Readonly<Record<string, Loader>> = {
  vip: async () => (await import('./vip')).vip as unknown as AgentDeclaration<ParameterTable>,
};

export const agentNames = (): string[] => Object.keys(agents).sort();

export async function loadAgent(name: string): Promise<AgentDeclaration<ParameterTable> | undefined> {
  const loader = Object.hasOwn(agents, name) ? agents[name] : undefined;
  return loader?.();
}
