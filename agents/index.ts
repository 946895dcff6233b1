import type {AnyAgentDeclaration} from '../lib/ocf/declaration';
import {presetNames} from './openstack/presets';

type Loader = () => Promise<AnyAgentDeclaration>;

// Every agent the binary serves, by the name it is linked under. Loaded on
// demand: an action evaluates only its own agent's module.
export const agents: Readonly<Record<string, Loader>> = {
  backup: async () => (await import('./backup')).backup,
  drbd: async () => (await import('./drbd')).drbd,
  fs: async () => (await import('./fs')).fs,
  mysql: async () => (await import('./mysql')).mysql,
  rabbitmq: async () => (await import('./rabbitmq')).rabbitmq,
  vip: async () => (await import('./vip')).vip,
  // One agent per row of the OpenStack service table, all from one engine.
  ...Object.fromEntries(
    presetNames().map((name): [string, Loader] => [name, async () => (await import('./openstack')).loadOpenstackAgent(name) as AnyAgentDeclaration]),
  ),
};

export const agentNames = (): string[] => Object.keys(agents).sort();

export async function loadAgent(name: string): Promise<AnyAgentDeclaration | undefined> {
  const loader = Object.hasOwn(agents, name) ? agents[name] : undefined;
  return loader?.();
}
