// One HTTP answer to one guest connection to the seed address: QEMU's guestfwd runs this with the
// connection as stdin/stdout (src/boot/qemu.ts), so the guest reaches these files and nothing
// else on the host. Plain JavaScript: it runs wherever the package is installed, with no loader.
// argv[2]: the seed directory (meta-data, user-data, vendor-data); each request's name is
// appended to requests.log there, which the runner reads as evidence.
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const FILES = new Set(['meta-data', 'user-data', 'vendor-data', 'network-config']);
let received = '';
let answered = false;

function answer(status, reason, body, head) {
  answered = true;
  const headers = [`HTTP/1.1 ${status} ${reason}`, 'Content-Type: text/plain; charset=utf-8', `Content-Length: ${body.length}`, 'Connection: close', '', ''];
  process.stdout.write(headers.join('\r\n'));
  if (!head) process.stdout.write(body);
  process.stdout.end(() => process.exit(0));
}

process.stdin.on('data', (chunk) => {
  if (answered) return;
  received += chunk.toString('latin1');
  if (received.length > 16384) return answer(431, 'Request Header Fields Too Large', Buffer.alloc(0), false);
  const end = received.indexOf('\r\n\r\n');
  if (end < 0) return;
  const [method = '', target = ''] = received.slice(0, received.indexOf('\r\n')).split(' ');
  let name = '';
  try {
    name = decodeURIComponent(target.split('?')[0]).replace(/^\/+/, '');
  } catch {
    name = '';
  }
  try {
    appendFileSync(join(dir, 'requests.log'), `${JSON.stringify({ method, name })}\n`);
  } catch {
    // the directory is gone: the VM is being stopped
  }
  if (method !== 'GET' && method !== 'HEAD') return answer(405, 'Method Not Allowed', Buffer.alloc(0), false);
  let body = null;
  if (FILES.has(name)) {
    try {
      body = readFileSync(join(dir, name));
    } catch {
      body = null;
    }
  }
  if (!body) return answer(404, 'Not Found', Buffer.from('not found\n'), method === 'HEAD');
  answer(200, 'OK', body, method === 'HEAD');
});
process.stdin.on('end', () => process.exit(0));
setTimeout(() => process.exit(0), 30_000).unref();
