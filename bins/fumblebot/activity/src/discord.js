// Signing in as @discord/embedded-app-sdk expects: ready(), authorize for a code, the code
// to FumbleBot (POST api/token, which exchanges it with Discord and confirms the user), then
// authenticate with Discord's access token. Inside Discord the real SDK talks to the client
// over postMessage; opened on its own (no `frame_id` in the URL) the app uses the SDK's
// DiscordSDKMock, whose code (`mock_code`, or `?mock_code=`) only a test's fake Discord
// accepts. The mock is a chunk of its own, fetched only then: inside Discord it is never
// loaded (see build.js).
// `@discord/embedded-app-sdk/discord` is the SDK's output/Discord.mjs, resolved by build.js.
import { DiscordSDK } from '@discord/embedded-app-sdk/discord';
import { apiUrl } from './paths.js';

/** Thrown when FumbleBot refuses, with its error body's message. */
export class SignInError extends Error {}

async function clientId() {
  const response = await fetch(apiUrl('config'));
  if (!response.ok) throw new SignInError(`FumbleBot answered ${response.status}`);
  const config = await response.json();
  if (!config.client_id) throw new SignInError('FumbleBot has no Discord application configured');
  return config.client_id;
}

async function makeSdk(id, params) {
  if (params.has('frame_id')) {
    return { sdk: new DiscordSDK(id, { disableConsoleLogOverride: true }), instanceId: null };
  }
  const { DiscordSDKMock } = await import('./mock.js');
  const sdk = new DiscordSDKMock(id, params.get('guild_id'), params.get('channel_id'), null);
  const code = params.get('mock_code') ?? 'mock_code';
  sdk._updateCommandMocks({ authorize: async () => ({ code }) });
  // The mock's instance id is a constant; a test may name another.
  return { sdk, instanceId: params.get('instance_id') };
}

/** Signs in; gives the SDK, the instance id, FumbleBot's session and the user. */
export async function signIn() {
  const params = new URLSearchParams(location.search);
  const id = await clientId();
  const made = await makeSdk(id, params);
  const sdk = made.sdk;
  await sdk.ready();
  const { code } = await sdk.commands.authorize({
    client_id: id,
    response_type: 'code',
    state: '',
    prompt: 'none',
    scope: ['identify'],
  });
  const response = await fetch(apiUrl('token'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new SignInError(body?.error?.message ?? `sign-in failed (${response.status})`);
  }
  await sdk.commands.authenticate({ access_token: body.access_token });
  return {
    sdk,
    instanceId: made.instanceId ?? sdk.instanceId,
    session: body.session,
    user: body.user,
  };
}
