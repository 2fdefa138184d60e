/** "host:port" (IPv6 hosts in brackets, "[::1]:9464"); port 0 picks a free one. */
export function parseListenAddress(listen: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(listen.trim());
  const port = Number(match?.[3]);
  if (match === null || port > 65535) throw new Error(`http listen address "${listen}" is not host:port (e.g. 127.0.0.1:9464, [::1]:9464, 0.0.0.0:0)`);
  const host = match[1] ?? match[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}
