// The SDK's DiscordSDKMock, for the app opened outside Discord (a test's browser, or a
// developer's): imported dynamically by discord.js, so that it and what only it uses (the
// SDK's copies of big-integer and lodash.transform) stay out of the first load.
// `@discord/embedded-app-sdk/mock` is the SDK's output/mock.mjs, resolved by build.js.
export { DiscordSDKMock } from '@discord/embedded-app-sdk/mock';
