// Starts an embedded nats-server, prints its PIDs as JSON, then idles until killed.
import { startEmbeddedNats } from '../../../src/bus/embedded.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: embedded-child <dir>');
const s = await startEmbeddedNats({ storeDir: `${dir}/js`, portsDir: dir });
process.stdout.write(`${JSON.stringify({ serverPid: s.serverPid, guardPid: s.guardPid, url: s.url })}\n`);
setInterval(() => undefined, 1000);
