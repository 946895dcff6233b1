import type {Deadline} from '../ocf/deadline';

export interface AmqpLogin {
  host: string;
  port: number;
  vhost: string;
  user: string;
  password: string;
  deadline: Deadline;
}

// The level-10 AMQP check with amqplib (bundled; evaluated on first call:
// level 0 never loads it): log in with PLAIN, open a channel, declare a
// server-named exclusive auto-delete queue (the broker's queue machinery
// answers; nothing outlives the connection) and close. Throws an Error whose
// message never holds the password. Bounded by the deadline.
export async function checkAmqpLogin(login: AmqpLogin): Promise<{queue: string}> {
  const amqplib = require('amqplib') as typeof import('amqplib');
  const ms = Math.max(1, login.deadline.remainingMs());
  let timer: NodeJS.Timeout | undefined;
  let connection: import('amqplib').ChannelModel | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from ${login.host}:${login.port} within ${ms} ms`)), ms);
  });
  const work = async () => {
    connection = await amqplib.connect(
      {protocol: 'amqp', hostname: login.host, port: login.port, vhost: login.vhost, username: login.user, password: login.password, heartbeat: 0},
      {timeout: ms, clientProperties: {connection_name: 'hacloud monitor'}},
    );
    connection.on('error', () => {});
    const channel = await connection.createChannel();
    channel.on('error', () => {});
    const declared = await channel.assertQueue('', {exclusive: true, autoDelete: true, durable: false});
    await channel.close();
    return {queue: declared.queue};
  };
  try {
    return await Promise.race([work(), expired]);
  } catch (error) {
    throw new Error(scrubMessage((error as Error).message ?? String(error), login.password));
  } finally {
    clearTimeout(timer);
    // connection is assigned inside work(); TypeScript cannot see that.
    const open = connection as import('amqplib').ChannelModel | undefined;
    if (open) await open.close().catch(() => undefined);
  }
}

const scrubMessage = (message: string, password: string): string => (password ? message.split(password).join('****') : message);
