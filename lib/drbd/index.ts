// The DRBD state model: parsers of drbd-utils output (DRBD 9 and 8.4),
// derived status, promotion scores and the split-brain decision. Pure: the
// agent does the I/O through lib/sys.
export type {Role, DiskState, ConnectionState, PeerDeviceState, ConnectionInfo, DeviceState, ResourceState} from './types';
export {absentResource} from './types';
export {toRole, toDiskState, toConnectionState, isUsableDisk} from './names';
export {parseEvents2} from './events2';
export {parseStatusJson} from './status-json';
export {parseGi, formatGi, formatUuids, generationOf, startedAsPrimary, type GenerationIds, type GiForm} from './gi';
export {compareGenerations, mirrorRelation, type GenerationRelation, type GenerationComparison} from './generations';
export {parseDrbdadmVersion, compareVersions, type DrbdVersions} from './version';
export {deriveStatus, type DerivedStatus} from './derive';
export {DEFAULT_SCORE_TABLE, parseScoreTable, promotionScore, type ScoreTable, type ScoreAction, type ScoreOptions} from './score';
export {
  decideSplitBrain,
  parseSplitBrainPolicy,
  formatSplitBrainPolicy,
  DEFAULT_MAX_FACT_AGE_SECONDS,
  type NodeFacts,
  type FencingFacts,
  type SplitBrainPolicy,
  type SplitBrainDecision,
  type SplitBrainBasis,
  type SplitBrainInput,
} from './split-brain';
