/**
 * The security headers every response carries (pages, API, static files, 404s), built in one
 * place and set by proxy.ts, which runs for every request.
 */

export type THeaderOptions = {
  /** A fresh random value per request; Next puts it on its own scripts (see proxy.ts). */
  nonce: string;
  /** Over HTTPS: HSTS, and `upgrade-insecure-requests` (which would break a plain-HTTP LAN install). */
  isHttps: boolean;
  /** `next dev`: React's dev build needs eval, and dev styles are injected without the nonce. */
  isDev: boolean;
};

/** Browser features the app never uses, switched off for it and anything it might embed. */
const DISABLED_FEATURES = [
  "accelerometer",
  "browsing-topics",
  "camera",
  "display-capture",
  "geolocation",
  "gyroscope",
  "hid",
  "magnetometer",
  "microphone",
  "midi",
  "payment",
  "serial",
  "usb",
];

/** A per-request CSP nonce: 128 random bits, base64. */
export function createNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

/**
 * The Content-Security-Policy. Scripts run only with the request's nonce ('strict-dynamic' lets
 * those scripts load Next's chunks). `<style>` and stylesheets need 'self' or the nonce; style
 * *attributes* are allowed ('unsafe-inline' in style-src-attr): React renders `style={…}` props
 * as attributes in server HTML (the Analytics heat map, recharts' SVG), and an attribute cannot
 * run script or load anything the other directives forbid. Images may be data: URLs (the
 * Sessions QR code) and blobs; images, audio and video come from the app itself (media through
 * its signed route, /api/media) or from blobs (the composer's preview of a file before upload).
 */
export function contentSecurityPolicy({ nonce, isHttps, isDev }: THeaderOptions): string {
  const styleElements = isDev ? "'self' 'unsafe-inline'" : `'self' 'nonce-${nonce}'`;
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${isDev ? " 'unsafe-eval'" : ""}`,
    `style-src ${styleElements}`,
    `style-src-elem ${styleElements}`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "frame-src 'none'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(isHttps ? ["upgrade-insecure-requests"] : []),
  ];
  return directives.join("; ");
}

export type TSecurityHeaders = Record<string, string> & { "content-security-policy": string };

/** Every security header for one response, lower-case names. */
export function securityHeaders(options: THeaderOptions): TSecurityHeaders {
  return {
    "content-security-policy": contentSecurityPolicy(options),
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "permissions-policy": DISABLED_FEATURES.map((feature) => `${feature}=()`).join(", "),
    // For browsers that predate CSP's frame-ancestors.
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    ...(options.isHttps ? { "strict-transport-security": "max-age=31536000; includeSubDomains" } : {}),
  };
}
