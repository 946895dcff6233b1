import {OCF, type OcfCode} from './exit-codes';

// A failure with the OCF code it maps to; its message becomes the exit reason.
export class OcfError extends Error {
  constructor(
    readonly code: OcfCode,
    message: string,
    options?: {cause?: unknown},
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

// Parameters that are inherently invalid: fatal, Pacemaker tries no other node (6).
export class ConfigError extends OcfError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(OCF.ERR_CONFIGURED, message, options);
  }
}

// Software, device or interface missing on this node: another node may do (5).
export class NotInstalledError extends OcfError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(OCF.ERR_INSTALLED, message, options);
  }
}

// Parameters unusable on this node (a file or user missing here) (2).
export class ArgsError extends OcfError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(OCF.ERR_ARGS, message, options);
  }
}

// Insufficient privileges (4).
export class PermError extends OcfError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(OCF.ERR_PERM, message, options);
  }
}

// The resource or an action on it failed (1).
export class GenericError extends OcfError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(OCF.ERR_GENERIC, message, options);
  }
}
