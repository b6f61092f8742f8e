// Requests to this server's API. Every failure becomes an Error whose message is words for
// the reader: the API's own `detail`, or what went wrong with the connection.
import { msg } from "./i18n.js";

export const PAGEVIEWS = "/api/rest_v1/metrics/pageviews";
export const WIKIVIEWS = "/api/wikiviews/v1";

/** The answer the server inlined for the page's first request: {url, body}, used once. */
let inlined = null;

/** Use `answer` (the shell's inlined {url, body}) for the first request of exactly its URL. */
export function setInlined(answer) {
  inlined = answer;
}

/** An API answer that is not a 2xx; `status` is its HTTP status. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** One path segment, percent-encoded as the API reads it (titles may hold `/`, `?`, `%`). */
export function segment(value) {
  return encodeURIComponent(value);
}

/**
 * The JSON of a GET of `path` (with `query`, an object). A 404 resolves to null when
 * `missingIsEmpty` is set (the API's "no data"); anything else raises an ApiError.
 */
export async function getJson(path, query = {}, { missingIsEmpty = false, signal } = {}) {
  // `query` is an object, or URLSearchParams when a name repeats (title=A&title=B).
  const url = new URL(path, window.location.origin);
  const pairs = query instanceof URLSearchParams ? query.entries() : Object.entries(query);
  for (const [name, value] of pairs) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.append(name, value);
  }
  if (inlined && inlined.url === url.pathname + url.search) {
    const { body } = inlined;
    inlined = null;
    return body;
  }
  inlined = null;
  let response;
  try {
    response = await fetch(url, { headers: { Accept: "application/json" }, signal });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, msg("error-network", error.message));
  }
  if (response.ok) return response.json();
  if (response.status === 404 && missingIsEmpty) return null;
  let detail = `${response.status} ${response.statusText}`;
  try {
    const problem = await response.json();
    const text = Array.isArray(problem.detail) ? problem.detail.join("; ") : problem.detail;
    if (text) detail = text;
  } catch {
    // Not a problem+json body: the status line says enough.
  }
  throw new ApiError(response.status, msg("error-api", detail));
}
