// The members of a category, read from the wiki's own API in the browser (Massviews' category
// source). The page's Content-Security-Policy allows that one wiki for this view only.
import { msg } from "./i18n.js";
import { normalizeTitle } from "./state.js";

/**
 * Titles of the pages in `title` (a `Category:` page) on the wiki whose API is `api`, up to
 * `limit`, following `cmcontinue`. Failures raise an Error in words.
 */
export async function categoryMembers(api, title, limit, signal) {
  const titles = [];
  let next = null;
  do {
    const url = new URL(api);
    const query = {
      action: "query", list: "categorymembers", cmtitle: title, cmlimit: "500",
      cmprop: "title", format: "json", formatversion: "2", origin: "*",
    };
    if (next) query.cmcontinue = next;
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    let answer;
    try {
      const response = await fetch(url, { signal, credentials: "omit" });
      if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
      answer = await response.json();
    } catch (error) {
      if (error.name === "AbortError") throw error;
      throw new Error(msg("error-category", error.message));
    }
    if (answer.error) throw new Error(msg("error-category", answer.error.info || answer.error.code));
    for (const member of answer.query?.categorymembers || []) titles.push(normalizeTitle(member.title));
    next = answer.continue?.cmcontinue || null;
  } while (next && titles.length < limit);
  return titles.slice(0, limit);
}
