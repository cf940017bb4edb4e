// The VTTs' hosts, locally: one TLS server with a certificate made at test time (openssl,
// a throwaway key) for app.roll20.net, www.dndbeyond.com, D&D Beyond's game-log socket
// host and two Foundry servers. Chromium reaches it under those names through
// `--host-resolver-rules` and trusts exactly this certificate's key
// (`--ignore-certificate-errors-spki-list`), so the shipped manifest's match patterns are
// the ones tested.
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';

export const HOSTS = {
  roll20: 'app.roll20.net',
  ddb: 'www.dndbeyond.com',
  ddbGameLog: 'game-log-api-live.dndbeyond.com',
  foundry12: 'foundry.critfumble.test',
  foundry13: 'foundry13.critfumble.test',
};

const FIXTURES = new URL('./fixtures/', import.meta.url);
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

/** A self-signed certificate for every host, in `dir`; resolves to `{key, cert, spki}`. */
function certificate(dir) {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const names = Object.values(HOSTS).map((host) => `DNS:${host}`).join(',');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=critfumble extension test',
    '-addext', `subjectAltName=${names}`,
  ], { stdio: 'ignore' });
  const pem = readFileSync(cert);
  const der = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return { key: readFileSync(key), cert: pem, spki: createHash('sha256').update(der).digest('base64') };
}

function page(res, name) {
  const path = new URL(name, FIXTURES);
  const type = TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream';
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(readFileSync(path));
}

/** Starts the server; resolves to `{port, spki, rules, pushGameLog, close}`. */
export async function startVttServer(dir) {
  const { key, cert, spki } = certificate(dir);
  const server = createServer({ key, cert }, (req, res) => {
    const host = (req.headers.host ?? '').split(':')[0];
    const url = new URL(req.url, `https://${host}`);
    if (url.pathname.startsWith('/fixture/')) return page(res, url.pathname.slice('/fixture/'.length));
    if (host === HOSTS.roll20 && url.pathname.startsWith('/editor')) return page(res, 'roll20.html');
    if (host === HOSTS.ddb && url.pathname.startsWith('/campaigns/')) return page(res, 'ddb.html');
    if ((host === HOSTS.foundry12 || host === HOSTS.foundry13) && url.pathname === '/game') return page(res, 'foundry.html');
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  const sockets = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if ((req.headers.host ?? '').split(':')[0] !== HOSTS.ddbGameLog) return socket.destroy();
    sockets.handleUpgrade(req, socket, head, (ws) => sockets.emit('connection', ws, req));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    port,
    spki,
    rules: Object.values(HOSTS).map((host) => `MAP ${host} 127.0.0.1:${port}`).join(', '),
    /** Sends a game-log message to every open game-log socket. */
    pushGameLog(message) {
      for (const client of sockets.clients) client.send(JSON.stringify(message));
      return sockets.clients.size;
    },
    close() {
      for (const client of sockets.clients) client.terminate();
      server.close();
    },
  };
}
