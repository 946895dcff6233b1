import {loadAgent} from '../../agents';
import {agentsOf} from '../config/plan';
import type {ControllerSpec} from '../config/spec';
import {hacloudPrimitives, type CibFacts} from './cib';
import type {DoctorPlan} from './types';

// What `hacloud config` plans for a description without OpenStack services.
export const DEFAULT_AGENTS = ['drbd', 'fs', 'vip', 'mysql', 'backup'] as const;

type Overrides = Record<string, Record<string, string>>;

// The agents and parameter values to check: from the description when one
// is given, else from the CIB's ocf:hacloud primitives, else the defaults.
// Every value not set there is the agent's declared default.
export async function planDoctor({spec, cib}: {spec?: ControllerSpec; cib?: CibFacts}): Promise<DoctorPlan> {
  let source: DoctorPlan['source'] = 'defaults';
  let agents: string[] = [...DEFAULT_AGENTS];
  let overrides: Overrides = {};
  if (spec) {
    source = 'config';
    agents = agentsOf(spec);
    overrides = {
      drbd: {drbd_resource: spec.drbd.resource},
      fs: {device: spec.drbd.device, directory: spec.drbd.directory},
      ...(spec.rabbitmq ? {rabbitmq: {cookie_file: spec.rabbitmq.cookie_file}} : {}),
    };
  } else if (cib && hacloudPrimitives(cib).length > 0) {
    source = 'cib';
    const found = hacloudPrimitives(cib);
    agents = [...new Set(found.map((p) => p.type))];
    for (const p of found) overrides[p.type] = {...overrides[p.type], ...p.params};
  }
  const params: Overrides = {};
  const known: string[] = [];
  for (const agent of agents) {
    const decl = await loadAgent(agent);
    if (!decl) continue;
    known.push(agent);
    const defaults = Object.entries(decl.parameters as Record<string, {default?: unknown}>)
      .filter(([, p]) => p.default !== undefined)
      .map(([name, p]) => [name, String(p.default)]);
    params[agent] = {...Object.fromEntries(defaults), ...overrides[agent]};
  }
  return {source, agents: known, params};
}
