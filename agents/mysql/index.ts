import {readCredentials} from '../../lib/clients/mysql-credentials';
import {defineAgent, NotInstalledError} from '../../lib/ocf';
import {findBinary} from '../../lib/sys/binaries';
import {monitor} from './monitor';
import {parameters, type Ctx} from './parameters';
import {lookupOwner, requireConfig, requireServerBinary} from './prepare';
import {checkSyntax} from './server-args';
import {start} from './start';
import {stop} from './stop';

export const mysql = defineAgent({
  name: 'mysql',
  version: '0.1.0',
  shortdesc: 'MariaDB or MySQL server on shared storage',
  longdesc:
    'Runs one MariaDB (or MySQL) server whose data lives on the DRBD filesystem; replaces ocf:heartbeat:mysql without replication. ' +
    'Start checks the data directory (mounted, owned by user, initialised), creates missing runtime directories, runs the server directly (not mysqld_safe) and returns when it answers the protocol handshake on its socket; a failed start quotes the error log and leaves nothing running. ' +
    'Monitor depth 0 reads the pid files and pings the server through its socket (no client program, no credentials needed): 0 answers, 7 no server process (a crash included), 1 a process that does not answer; too many connections or a blocked host still count as running, with a warning. ' +
    'Depth 10 reads test_table and depth 20 writes heartbeat_table, with the credentials of a root-only defaults file. ' +
    'Stop sends SHUTDOWN (SIGTERM without credentials), waits for InnoDB to shut down, then SIGKILLs; it fails if the server survives. ' +
    'Codes: missing data directory or software 5, data directory of another owner 4, credentials file readable by others 4, missing credentials file 2, invalid parameters 6.',
  parameters,
  checkSyntax,
  checkEnvironment,
  actions: {
    start: {timeout: 120, run: start},
    stop: {timeout: 120, run: stop},
    monitor: {timeout: 30, interval: 20, depth: 0, run: monitor, more: [{timeout: 30, interval: 60, depth: 10}, {timeout: 30, interval: 300, depth: 20}]},
  },
});

// validate-all at OCF_CHECK_LEVEL 10: this node can run the server. The data
// directory is not checked: on the passive node its filesystem is not mounted.
async function checkEnvironment(ctx: Ctx): Promise<void> {
  requireServerBinary(ctx);
  requireConfig(ctx);
  await lookupOwner(ctx);
  if (ctx.params.enable_creation && !findBinary(ctx.params.install_db_binary, ctx.env.raw) && !findBinary('mysql_install_db', ctx.env.raw)) {
    throw new NotInstalledError(`enable_creation needs ${ctx.params.install_db_binary}, not found`);
  }
  if (ctx.params.credentials !== undefined) readCredentials(ctx.params.credentials);
}
