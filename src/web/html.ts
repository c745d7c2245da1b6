/** Escapes text for HTML element content and attribute values. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** `15ab12…ef34`: enough of an id to tell people apart without printing it whole. */
export function abbreviateId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 6)}…${id.slice(-4)}` : id;
}

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<main>
${body}
</main>
<footer>A Session community server. Join rooms with the <a href="https://getsession.org">Session</a> app.</footer>
</body>
</html>
`;
}

/** Pages need nothing but their own stylesheet and images: forbid everything else. */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; img-src 'self'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

export const STYLESHEET = `:root { color-scheme: light dark; --accent: #00b86b; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
main { max-width: 46rem; margin: 0 auto; padding: 1.5rem 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 1rem; }
h2 { font-size: 1.25rem; margin: 1.5rem 0 .5rem; }
.room h2 { margin: 0 0 .25rem; }
a { color: var(--accent); }
.room { border: 1px solid #8884; border-radius: .75rem; padding: 1rem; margin: 0 0 1rem; display: flex; gap: 1rem; flex-wrap: wrap; }
.room .info { flex: 1 1 16rem; min-width: 0; }
.room img, .qr { width: 10rem; height: 10rem; image-rendering: pixelated; background: #fff; border-radius: .5rem; }
.qr.large { width: 16rem; height: 16rem; }
.meta { opacity: .75; font-size: .9rem; }
code.url { display: block; overflow-wrap: anywhere; padding: .5rem; border-radius: .5rem; background: #8882; font-size: .85rem; }
.messages { list-style: none; padding: 0; }
.messages li { padding: .5rem 0; border-bottom: 1px solid #8883; }
.messages .text { white-space: pre-wrap; overflow-wrap: anywhere; margin: .25rem 0 0; }
form { margin: 1.5rem 0; }
label { display: block; font-weight: 600; }
input[type=text] { display: block; width: 100%; margin: .5rem 0; padding: .5rem; font: .9rem ui-monospace, monospace; border: 1px solid #8888; border-radius: .5rem; }
button { padding: .5rem 1rem; border: 0; border-radius: .5rem; background: var(--accent); color: #fff; font: inherit; cursor: pointer; }
.error { color: #d33; }
.room-image { width: 6rem; height: 6rem; object-fit: cover; border-radius: 50%; }
footer { max-width: 46rem; margin: 0 auto; padding: 1rem; font-size: .85rem; opacity: .7; }
`;
