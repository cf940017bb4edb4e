// Local stand-ins for the services Core talks to in the end-to-end test, speaking their
// real wire formats: Discord's OAuth2 authorization-code flow (authorize, token,
// /users/@me) and FumbleBot's `POST /v1/ai/chat`.
import { createServer } from 'node:http';

/** Listens on 127.0.0.1 at a free port; resolves to the server. */
export function listen(handler) {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

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
 * Discord's OAuth2: the authorize page approves at once and redirects with a code; the
 * token endpoint checks the client's Basic credentials and the PKCE verifier's presence;
 * /users/@me answers for the issued access token.
 */
export function discord({ clientId, clientSecret, user }) {
  const codes = new Map();
  return listen(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/api/oauth2/authorize') {
      const redirect = new URL(url.searchParams.get('redirect_uri'));
      if (url.searchParams.get('client_id') !== clientId
        || url.searchParams.get('code_challenge_method') !== 'S256') {
        return json(res, 400, { error: 'invalid_request' });
      }
      const code = `code-${codes.size + 1}`;
      codes.set(code, url.searchParams.get('code_challenge'));
      redirect.searchParams.set('code', code);
      redirect.searchParams.set('state', url.searchParams.get('state'));
      res.writeHead(302, { location: redirect.toString() }).end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/api/oauth2/token') {
      const form = new URLSearchParams(await body(req));
      const basic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
      if (req.headers.authorization !== basic || !codes.has(form.get('code'))
        || !form.get('code_verifier')) {
        return json(res, 400, { error: 'invalid_grant' });
      }
      codes.delete(form.get('code'));
      return json(res, 200, { access_token: 'discord-access-token', token_type: 'Bearer', expires_in: 604800, scope: 'identify' });
    }
    if (req.method === 'GET' && url.pathname === '/api/users/@me') {
      if (req.headers.authorization !== 'Bearer discord-access-token') return json(res, 401, { message: '401: Unauthorized', code: 0 });
      return json(res, 200, user);
    }
    json(res, 404, { message: '404: Not Found', code: 0 });
  });
}

/** FumbleBot's AI chat: answers from the context Core sent, with usage. */
export function fumblebot({ apiKey }) {
  return listen(async (req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/ai/chat') return json(res, 404, { error: { code: 'not_found', message: 'route not found' } });
    if (req.headers.authorization !== `Bearer ${apiKey}`) return json(res, 401, { error: { code: 'unauthorized', message: 'bad key' } });
    const request = JSON.parse(await body(req));
    const campaign = request.context?.campaign?.name ?? '?';
    const characters = (request.context?.characters ?? []).map((c) => c.name).join(', ');
    json(res, 200, {
      content: `In ${campaign}, the party is ${characters || 'nobody yet'}.`,
      model: 'fake-model',
      usage: {
        provider: 'anthropic', model: 'fake-model', input_tokens: 900, output_tokens: 120,
        cache_read_tokens: 0, cache_write_tokens: 0, latency_ms: 40, estimated_cost_usd: 0.0045,
      },
    });
  });
}
