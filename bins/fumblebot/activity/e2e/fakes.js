// The Discord side of the Activity's end-to-end test, speaking Discord's wire formats:
// - its HTTP API: the OAuth2 token endpoint (a form with the client secret), /users/@me with
//   the access token, and the activity instance with the bot token (developers/docs:
//   topics/oauth2, resources/user, resources/application);
// - a fake Discord client: `/host.html` frames the Activity at `/.proxy/activity/` and
//   answers the Embedded App SDK's postMessage protocol (HANDSHAKE → READY, then the
//   AUTHORIZE and AUTHENTICATE commands) as Discord's client does; every other path is
//   passed through to FumbleBot, WebSockets included, as Discord's proxy does.
import { createServer, request } from 'node:http';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

function body(req) {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (chunk) => (data += chunk)).on('end', () => resolve(data));
  });
}

function json(res, status, value) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

/**
 * Starts the fake on 127.0.0.1. `users`: Discord users by id; `instance`: {id, channelId,
 * guildId, userIds}. `fumblebot()` gives FumbleBot's origin once it is known. Codes made
 * with `grant(code, userId)` work once.
 */
export async function fakeDiscord({ clientId, clientSecret, botToken, users, instance, fumblebot }) {
  const codes = new Map();
  const tokens = new Map();
  let issued = 0;
  const grant = (code, userId) => codes.set(code, userId);

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (req.method === 'POST' && url.pathname === '/api/v10/oauth2/token') {
      const form = new URLSearchParams(await body(req));
      if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) {
        return json(res, 401, { error: 'invalid_client' });
      }
      const userId = codes.get(form.get('code'));
      if (form.get('grant_type') !== 'authorization_code' || !userId) {
        return json(res, 400, { error: 'invalid_grant', error_description: 'Invalid "code" in request.' });
      }
      codes.delete(form.get('code'));
      const token = `access-${++issued}`;
      tokens.set(token, userId);
      return json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 604800, refresh_token: 'r', scope: 'identify' });
    }
    if (req.method === 'GET' && url.pathname === '/api/v10/users/@me') {
      const userId = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      if (!userId) return json(res, 401, { message: '401: Unauthorized', code: 0 });
      return json(res, 200, { ...users[userId], discriminator: '0', public_flags: 0, flags: 0 });
    }
    const instancePath = `/api/v10/applications/${clientId}/activity-instances/`;
    if (req.method === 'GET' && url.pathname.startsWith(instancePath)) {
      if (req.headers.authorization !== `Bot ${botToken}`) return json(res, 401, { message: '401: Unauthorized', code: 0 });
      if (url.pathname.slice(instancePath.length) !== instance.id) {
        return json(res, 404, { message: 'Unknown Application Instance', code: 10089 });
      }
      return json(res, 200, {
        application_id: clientId,
        instance_id: instance.id,
        launch_id: '1276580072400224306',
        location: { id: `gc-${instance.guildId}-${instance.channelId}`, kind: 'gc', channel_id: instance.channelId, guild_id: instance.guildId },
        users: instance.userIds,
      });
    }
    if (url.pathname.startsWith('/api/')) {
      // The bot's other calls (the gateway, command registration) are not part of this test.
      return json(res, 404, { message: '404: Not Found', code: 0 });
    }
    if (req.method === 'GET' && url.pathname === '/host.html') {
      // The client's page for one user: a code for them, then the Activity in a frame.
      const userId = url.searchParams.get('user');
      const code = `host-code-${++issued}`;
      grant(code, userId);
      const page = readFileSync(join(HERE, 'host.html'), 'utf8')
        .replace('__CONFIG__', JSON.stringify({ code, user: users[userId], instance, clientId }));
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
      return;
    }
    // Discord's proxy: everything else goes to FumbleBot as it is.
    const target = new URL(fumblebot());
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  // The proxy's WebSockets in the order they were opened, and whether it refuses new ones:
  // a test drops one and refuses the client's retries for a while, as a proxy that lost a
  // connection might.
  const sockets = [];
  let refusing = false;
  server.on('upgrade', (req, socket, head) => {
    if (refusing) {
      socket.destroy();
      return;
    }
    const target = new URL(fumblebot());
    const upstream = connect(Number(target.port), target.hostname, () => {
      const headers = Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`).join('\r\n');
      upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers}\r\n\r\n`);
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
    sockets.push({ socket, upstream });
  });
  /** Cuts the `index`th WebSocket the proxy opened, both ways, without a close frame. */
  const dropSocket = (index) => {
    sockets[index].socket.destroy();
    sockets[index].upstream.destroy();
  };
  const refuseSockets = (refuse) => {
    refusing = refuse;
  };
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, grant, dropSocket, refuseSockets, origin: `http://127.0.0.1:${server.address().port}` };
}
