// Where the API is: next to the page, whatever the page's path (`/activity/`,
// `/.proxy/activity/` behind Discord's proxy, or `/` under a URL mapping).

/** The URL of `api/<name>` for fetch. */
export function apiUrl(name) {
  return new URL(`api/${name}`, location.href).href;
}

/** The socket's URL (ws: or wss: as the page is http: or https:). */
export function socketUrl() {
  const url = new URL('api/socket', location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '';
  return url.href;
}
