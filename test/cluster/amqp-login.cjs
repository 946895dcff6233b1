// An AMQP 0-9-1 client for the lab's client namespace (controller-client.ts):
//   node amqp-login.cjs HOST PORT USER   (the password on stdin)
// logs in with PLAIN, opens a channel, declares a server-named exclusive
// queue and closes; prints "ok" (exit 0) or the broker's refusal (exit 1).
'use strict';
const amqplib = require('amqplib');

const [host, port, user] = process.argv.slice(2);
let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', async () => {
  const password = input.split('\n')[0];
  let connection;
  const timer = setTimeout(() => { console.log(`no answer from ${host}:${port} in 15 s`); process.exit(1); }, 15000);
  try {
    connection = await amqplib.connect({protocol: 'amqp', hostname: host, port: Number(port), username: user, password, vhost: '/', heartbeat: 0},
      {timeout: 10000});
    const channel = await connection.createChannel();
    await channel.assertQueue('', {exclusive: true, autoDelete: true, durable: false});
    await connection.close();
    console.log('ok');
    process.exit(0);
  } catch (err) {
    console.log(String(err && err.message ? err.message : err).split(password).join('****'));
    process.exit(1);
  } finally {
    clearTimeout(timer);
  }
});
