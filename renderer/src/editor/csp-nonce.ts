// Monaco injects <style> elements at runtime (theme colours, decorations). The engine's server allows inline
// style elements only when they carry the per-response nonce it puts in <meta property="csp-nonce">, and
// Monaco (0.57) does not set nonces itself, so style elements created on this document get it here.
// Without a nonce (Electron, or an older server) nothing changes and the host's CSP decides.

let installed = false;

export function cspNonce(doc: Document = document): string | undefined {
  const meta = doc.querySelector<HTMLMetaElement>('meta[property="csp-nonce"]');
  // Browsers hide a nonce *attribute* after parsing but keep the property; `content` is the plain fallback.
  const value = meta?.nonce || meta?.content;
  return value ? value : undefined;
}

export function installStyleNonce(doc: Document = document): void {
  const nonce = cspNonce(doc);
  if (installed || !nonce) return;
  installed = true;
  const create = doc.createElement.bind(doc) as (tag: string, options?: ElementCreationOptions) => HTMLElement;
  doc.createElement = ((tag: string, options?: ElementCreationOptions) => {
    const el = create(tag, options);
    if (tag.toLowerCase() === 'style') el.nonce = nonce;
    return el;
  }) as Document['createElement'];
}
