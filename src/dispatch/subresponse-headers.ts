/** The one spelling of JSON the Session desktop accepts: it compares the content type exactly (see create-app). */
export const JSON_CONTENT_TYPE = 'application/json';

/** True for `application/json` with or without parameters such as `; charset=utf-8`. */
export function isJsonContentType(type: string | undefined): boolean {
  return !!type && type.split(';')[0].trim().toLowerCase() === JSON_CONTENT_TYPE;
}

/**
 * A subresponse's headers as they travel back inside a batch or onion reply: lower-case names and
 * no `content-length` (the outer framing carries lengths). JSON is already labelled exactly
 * `application/json` by the reply hook in create-app.
 */
export function subresponseHeaders(headers: Record<string, string | string[] | number | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (value === undefined || key === 'content-length') continue;
    out[key] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}
