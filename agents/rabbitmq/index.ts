import {defineAgent} from '../../lib/ocf';
import {checkLogin} from './check-login';
import {monitor} from './monitor';
import {parameters, type Ctx} from './parameters';
import {lookupOwner, requireCtl, requireServer} from './prepare';
import {readCookie} from './secret-files';
import {start} from './start';
import {stop} from './stop';

export const rabbitmq = defineAgent({
  name: 'rabbitmq',
  version: '0.1.0',
  shortdesc: 'RabbitMQ broker: active/passive or a clone forming one cluster',
  longdesc:
    'Runs a RabbitMQ node; replaces ocf:heartbeat:rabbitmq-cluster and rabbitmq-server-ha. mode=single: one node on the DRBD filesystem behind the virtual IP, with a fixed node name. mode=cluster: an anonymous clone whose members form one RabbitMQ cluster (join on start, bootstrap by the first node up, policy after bootstrap). ' +
    'Durable queues, messages, users, vhosts, permissions and policies are never wiped: no reset, no deletion of data_dir, on start, stop or re-join (a node that is no member of the running cluster, e.g. new or forgotten, adopts the cluster data through join_cluster). ' +
    'Start runs rabbitmq-server as user in its own session (output to <log_dir>/<nodename>-startup.log) and returns when the listener answers AMQP. ' +
    'Monitor never starts an Erlang VM for depths 0 and 10: depth 0 = the node VM (beam.smp) recorded at start still runs and the listener answers the AMQP 0-9-1 header with connection.start; depth 10 = AMQP log-in as check_user, a channel and a server-named exclusive queue. ' +
    'Cluster mode adds the node attribute rmq-node-<instance> and a partition check: a node on the losing side of a partition fails its monitor (1). The partition view comes from the management API at every monitor when management_port is set, otherwise from rabbitmqctl cluster_status (an Erlang VM, 0.8 s CPU) at most every cluster_check_interval. ' +
    'Stop: rabbitmqctl stop_app, SIGTERM (clean node shutdown), then SIGKILL of the VM and its port programs, and epmd when this resource started it and no other node is registered; it fails if the node survives. ' +
    'Codes: missing software, user or data_dir 5; cookie or password file missing or empty 2, readable by others 4; invalid parameters 6.',
  parameters,
  checkEnvironment,
  actions: {
    start: {timeout: 120, run: start},
    stop: {timeout: 120, run: stop},
    monitor: {timeout: 30, interval: 10, depth: 0, run: monitor, more: [{timeout: 30, interval: 60, depth: 10}]},
  },
});

// validate-all at OCF_CHECK_LEVEL 10: this node can run the broker. data_dir
// is not checked: on the passive node its filesystem is not mounted.
async function checkEnvironment(ctx: Ctx): Promise<void> {
  requireServer(ctx);
  requireCtl(ctx);
  const owner = await lookupOwner(ctx);
  readCookie(ctx.params.cookie_file, owner.uid);
  if (ctx.params.check_user !== undefined || ctx.params.check_password_file !== undefined) checkLogin(ctx);
}
