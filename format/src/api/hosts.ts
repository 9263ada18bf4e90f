// Network host allow-list entries, shared by the CLI, the engine API's requests and the REST source. Pure (no
// Node modules), so the designer checks what the user types with the same rule the engine applies.

/** An allow-list entry: `host`, `host:port`, `[v6]:port`, or a URL whose host (and port) it names. */
export function allowedHost(entry: string): { host: string; port: string | undefined } | undefined {
  const e = entry.trim().toLowerCase();
  if (e.includes('://')) {
    try {
      const u = new URL(e);
      return { host: u.hostname, port: u.port || (u.protocol === 'https:' ? '443' : u.protocol === 'http:' ? '80' : undefined) };
    } catch {
      return undefined;
    }
  }
  // A DNS name or IPv4 address (letters, digits, dots, hyphens, underscores), or an IPv6 address in brackets.
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?)(?::(\d{1,5}))?$/.exec(e);
  return m ? { host: m[1] as string, port: m[2] } : undefined;
}
