const BASE = "http://switchboard.invalid";

/**
 * Where to send a user after signing in: a path on this site, or "/". Anything that a browser
 * could read as another site (`//evil`, `/\evil`, tabs or newlines inside the URL, absolute
 * URLs) is refused: an open redirect after login is a phishing aid.
 */
export function safeCallbackPath(raw: string | undefined | null): string {
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (!raw || !raw.startsWith("/") || /[\\\u0000-\u001f\u007f]/.test(raw)) return "/";
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return "/";
  }
  if (url.origin !== BASE) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}
