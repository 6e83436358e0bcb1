/** The servers of a NATS URL list: `nats://a:4222,nats://b:4222` (a cluster) or one URL. */
export function natsServers(url: string): string[] {
  return url
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
}
